/**
 * Static SVG charts, rendered at publish time with Vega-Lite compiled to Vega and Vega's headless SVG
 * renderer (no DOM, no canvas). Without the optional `canvas` package Vega measures text with its own
 * fixed character-width table, so the output does not depend on the machine's fonts: the same figures
 * always give the same bytes.
 *
 * Rendering costs ~13 ms a chart, most of an offline run's site time, and the figures rarely change: each
 * file ends with a comment holding the hash of what it was drawn from (spec and renderer versions) and of
 * its SVG, and a chart whose input and bytes both check out is kept as it is instead of drawn again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { sha256 } from '../util/hash.ts';
import { stableStringify } from '../util/stable-json.ts';
import { clean } from './html.ts';
import type { FiscalYearFigure } from './model.ts';

// High-contrast colours on white (WCAG AA against #fff for the bars' text-free fills and the axis text).
const COMPLETE = '#1f4e79';
const LOWER_BOUND = '#8fb3d9';

let renderer: string | undefined;

/**
 * The renderer versions a chart's stamp records, read from the installed packages' package.json: Vega
 * itself (a fifth of a second to load) is loaded only when a chart has to be drawn.
 */
export function rendererVersions(): string {
  renderer ??= `vega ${installedVersion('vega')}, vega-lite ${installedVersion('vega-lite')}`;
  return renderer;
}

function installedVersion(name: string): string {
  // The packages export only their entry point; their package.json is found from it.
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package.json of ${name}`);
    dir = up;
  }
}
const STAMP = /\n<!-- icewatch-chart input=([0-9a-f]{64}) svg=([0-9a-f]{64}) -->\n$/;

/** The earlier file, when it was drawn from this very input and its SVG is whole. */
function reusable(previous: string | undefined, input: string): string | undefined {
  const stamp = previous === undefined ? null : STAMP.exec(previous);
  if (!stamp || stamp[1] !== input) return undefined;
  const svg = previous!.slice(0, stamp.index);
  return sha256(svg) === stamp[2] ? previous : undefined;
}

/** `previous`: the chart file as the last publish left it, if any. */
export async function fiscalYearChartSvg(name: string, figures: FiscalYearFigure[], previous?: string): Promise<string> {
  const values = figures.map((f) => ({
    year: `FY${f.fiscalYear}`,
    obligated: Math.round(f.obligated * 100) / 100,
    figure: f.complete ? 'complete' : 'lower bound',
  }));
  const spec: TopLevelSpec = {
    width: 520,
    height: 180,
    background: '#ffffff',
    description: `ICE obligations to ${clean(name, 120).replace(/[<>&"'`]/g, '')} by fiscal year`,
    data: { values },
    mark: { type: 'bar', tooltip: false },
    encoding: {
      x: { field: 'year', type: 'ordinal', sort: null, title: 'Fiscal year', axis: { labelAngle: 0, labelOverlap: true } },
      y: { field: 'obligated', type: 'quantitative', title: 'Obligated (USD)', axis: { format: '~s' } },
      color: {
        field: 'figure',
        type: 'nominal',
        scale: { domain: ['complete', 'lower bound'], range: [COMPLETE, LOWER_BOUND] },
        legend: { title: null, orient: 'top' },
      },
    },
    config: { font: 'sans-serif', axis: { labelColor: '#222222', titleColor: '#222222' }, legend: { labelColor: '#222222' } },
  };
  const input = sha256(`${rendererVersions()}\n${stableStringify(spec)}`);
  const kept = reusable(previous, input);
  if (kept !== undefined) return kept;
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return `${svg}\n<!-- icewatch-chart input=${input} svg=${sha256(svg)} -->\n`;
  } finally {
    view.finalize();
  }
}
