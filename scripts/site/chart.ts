/**
 * Static SVG charts, rendered at publish time with Vega-Lite compiled to Vega and Vega's headless SVG
 * renderer (no DOM, no canvas). Without the optional `canvas` package Vega measures text with its own
 * fixed character-width table, so the output does not depend on the machine's fonts: the same figures
 * always give the same bytes.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { clean } from './html.ts';
import type { FiscalYearFigure } from './model.ts';

// High-contrast colours on white (WCAG AA against #fff for the bars' text-free fills and the axis text).
const COMPLETE = '#1f4e79';
const LOWER_BOUND = '#8fb3d9';

export async function fiscalYearChartSvg(name: string, figures: FiscalYearFigure[]): Promise<string> {
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
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return `${svg}\n`;
  } finally {
    view.finalize();
  }
}
