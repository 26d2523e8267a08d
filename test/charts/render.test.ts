import type { TopLevelSpec } from 'vega-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { costChartSpec } from '../../src/charts/cost-chart.ts';
import { lossChartSpec } from '../../src/charts/loss-chart.ts';
import { ChartError, renderPng, renderSvg } from '../../src/charts/render.ts';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { breakEvens, type CostOption, costCurve, curveVolumes } from '../../src/cost/estimate.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which a valid PNG has right after its signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function costSpec(): TopLevelSpec {
  const options: CostOption[] = [
    { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' },
    { provider: 'azure', model: 'gpt-4.1-nano-2025-04-14', tier: 'global' },
    { provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'developer' },
    { provider: 'gpu', gpu: 'H100-80GB', modelParamsB: 8, method: 'lora' },
    { provider: 'gpu', gpu: 'L4', modelParamsB: 8, method: 'qlora' },
  ];
  const input = { monthlyInputTokens: 300e6, monthlyOutputTokens: 100e6, options };
  const marks = breakEvens(input, CATALOGUE);
  const volumes = curveVolumes(
    400e6,
    marks.flatMap((b) => (b.monthlyTokens ? [b.monthlyTokens] : [])),
  );
  return costChartSpec(costCurve(input, CATALOGUE, volumes), marks, { volume: 400e6 });
}

describe('renderPng()', () => {
  beforeAll(async () => {
    await renderPng(costSpec(), { scale: 1 }); // load vega and the system fonts once
  });

  it('renders the cost chart as a valid PNG at twice the spec size by default', async () => {
    const png = await renderPng(costSpec());
    expect(pngSize(png)).toEqual({ width: 1600, height: 900 });
    expect(png.length).toBeGreaterThan(20_000); // lines, text and a legend, not a blank page
  });

  it('renders at spec size with scale 1, in well under a few seconds', async () => {
    const started = performance.now();
    const png = await renderPng(costSpec(), { scale: 1 });
    const ms = performance.now() - started;
    expect(pngSize(png)).toEqual({ width: 800, height: 450 });
    expect(ms).toBeLessThan(1500);
    console.info(`cost chart rendered in ${Math.round(ms)} ms`);
  });

  it('draws the text with the server font and keeps every title inside the image', async () => {
    const svg = await renderSvg(costSpec());
    expect(svg).toMatch(/font-family="DejaVu Sans"/);
    expect(svg).toContain('Monthly cost by monthly volume');
    const title = svg.match(/role-title"><g transform="translate\(([-\d.]+),([-\d.]+)\)/);
    const plot = svg.match(/stroke-miterlimit="4" transform="translate\(([-\d.]+),([-\d.]+)\)/);
    expect(Number(plot?.[2]) + Number(title?.[2])).toBeGreaterThanOrEqual(0);
  });

  it('draws the legend’s self-hosted symbols dashed and the others solid, in the legend’s order', async () => {
    const svg = await renderSvg(costSpec());
    const symbols = svg.match(/role-legend-symbol[\s\S]*?<\/g>/g) ?? [];
    const dashes = symbols.map((g) => g.match(/stroke-dasharray="([^"]*)"/)?.[1]);
    // OpenAI, Azure nano (Global), then the two GPUs; the Developer tier has no monthly line.
    expect(dashes).toEqual(['1,0', '1,0', '7,4', '7,4']);
    expect(svg).toContain('Your volume: 400M tokens/month');
  });

  it('renders a loss chart whose points have gaps', async () => {
    const points = Array.from({ length: 300 }, (_, i) => ({
      step: i + 1,
      trainLoss: i % 37 === 0 ? null : 2 * Math.exp(-i / 80) + 0.3,
      validLoss: i % 50 === 0 ? 2 * Math.exp(-i / 80) + 0.4 : null,
    }));
    expect(pngSize(await renderPng(lossChartSpec(points)))).toEqual({ width: 1600, height: 900 });
  });

  it('renders a loss chart with no usable points at all', async () => {
    const png = await renderPng(lossChartSpec([{ step: 1, trainLoss: null, validLoss: null }]), { scale: 1 });
    expect(pngSize(png)).toEqual({ width: 800, height: 450 });
  });

  it('refuses specs that would load data from elsewhere', async () => {
    const spec = { ...lossChartSpec([]), data: { url: 'https://example.com/losses.json' } } as TopLevelSpec;
    await expect(renderPng(spec)).rejects.toThrow(ChartError);
    await expect(renderPng(spec)).rejects.toThrow(/inline data only/);
  });

  it('refuses a silly scale', async () => {
    await expect(renderPng(lossChartSpec([]), { scale: 0 })).rejects.toThrow(/scale must be above 0/);
  });
});
