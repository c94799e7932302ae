import { describe, expect, it } from 'vitest';
import { sha256 } from '../../scripts/util/hash.ts';
import * as vega from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import { fiscalYearChartSvg, rendererVersions } from '../../scripts/site/chart.ts';

const figures = [
  { fiscalYear: 2024, obligated: 1_250_000.5, transactions: 4, complete: true },
  { fiscalYear: 2025, obligated: 300_000, transactions: 2, complete: false },
];
const STAMP = /\n<!-- icewatch-chart input=([0-9a-f]{64}) svg=([0-9a-f]{64}) -->\n$/;

describe('fiscalYearChartSvg', () => {
  it('stamps the versions of the Vega it draws with, read without loading it', () => {
    expect(rendererVersions()).toBe(`vega ${vega.version}, vega-lite ${vegaLiteVersion}`);
  });

  it('stamps each chart with the hash of its input and of its SVG', async () => {
    const svg = await fiscalYearChartSvg('GEO Group', figures);
    const stamp = STAMP.exec(svg)!;
    expect(stamp).not.toBeNull();
    expect(sha256(svg.slice(0, stamp.index))).toBe(stamp[2]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('keeps the earlier file when it was drawn from the same input and is whole, and draws again otherwise', async () => {
    const fresh = await fiscalYearChartSvg('GEO Group', figures);
    const input = STAMP.exec(fresh)![1]!;
    // A file that could only be returned by reuse: other SVG bytes under a valid stamp for this input.
    const marked = '<svg xmlns="http://www.w3.org/2000/svg"><desc>kept</desc></svg>';
    const earlier = `${marked}\n<!-- icewatch-chart input=${input} svg=${sha256(marked)} -->\n`;
    expect(await fiscalYearChartSvg('GEO Group', figures, earlier)).toBe(earlier);
    // Truncated or edited SVG (its hash no longer matches): drawn again.
    const edited = earlier.replace('kept', 'edited');
    expect(await fiscalYearChartSvg('GEO Group', figures, edited)).toBe(fresh);
    expect(await fiscalYearChartSvg('GEO Group', figures, fresh.slice(0, 200))).toBe(fresh);
    // Other figures or another name: drawn again, whatever the earlier file says.
    const other = await fiscalYearChartSvg('GEO Group', [figures[0]!], earlier);
    expect(other).not.toBe(earlier);
    expect(other).toBe(await fiscalYearChartSvg('GEO Group', [figures[0]!]));
    expect(await fiscalYearChartSvg('CoreCivic', figures, earlier)).not.toBe(earlier);
  });
});
