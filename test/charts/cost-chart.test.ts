import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { type BreakEvenMark, type CostCurvePoint, costChartSpec } from '../../src/charts/cost-chart.ts';
import { lossChartSpec, lossRows } from '../../src/charts/loss-chart.ts';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { breakEvens, type CostOption, costCurve, curveVolumes } from '../../src/cost/estimate.ts';

/** Just what the tests read of an encoding channel. */
type Channel = {
  field?: string;
  scale: { type?: string; domain?: unknown[]; range: unknown[] };
  axis: { title?: string };
};
type Layer = {
  data?: { values?: Array<Record<string, unknown>> };
  mark: { type: string } | string;
  encoding?: Record<'x' | 'y' | 'color' | 'strokeDash', Channel>;
  layer?: Layer[];
};
type Spec = { title: { text: string; subtitle: string[] }; width: number; height: number; layer: Layer[] };

const OPTIONS: CostOption[] = [
  { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' },
  { provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'global' },
  { provider: 'gpu', gpu: 'H100-80GB', modelParamsB: 8, method: 'lora' },
];
const INPUT = { monthlyInputTokens: 750e6, monthlyOutputTokens: 250e6, options: OPTIONS };

function realChart(volume?: number): { spec: Spec; marks: BreakEvenMark[]; curve: CostCurvePoint[] } {
  const marks = breakEvens(INPUT, CATALOGUE);
  const volumes = curveVolumes(1e9, [1e9, ...marks.flatMap((b) => (b.monthlyTokens ? [b.monthlyTokens] : []))]);
  const curve = costCurve(INPUT, CATALOGUE, volumes);
  const spec = costChartSpec(curve, marks, volume === undefined ? {} : { volume });
  return { spec: spec as unknown as Spec, marks, curve };
}

/** Every layer of a type, nested layers included. */
function layerOf(spec: { layer: Layer[] }, type: string): Layer[] {
  return spec.layer.flatMap((l) => {
    const inner = l.layer ? layerOf({ layer: l.layer.map((c) => ({ data: l.data, ...c })) }, type) : [];
    const own = l.mark && (typeof l.mark === 'string' ? l.mark : l.mark.type) === type ? [l] : [];
    return [...own, ...inner];
  });
}

/** Pixels between a value and the end of a log axis of `size` pixels over `domain`. */
const pixelsFromEnd = (domain: number[], v: number, end: 'lo' | 'hi', size: number) => {
  const [lo = 1, hi = 1] = domain;
  const span = Math.log(hi / lo);
  return ((end === 'hi' ? Math.log(hi / v) : Math.log(v / lo)) / span) * size;
};

describe('costChartSpec()', () => {
  it('draws one line per option, dashed for self-hosting', () => {
    const { spec, curve } = realChart();
    const [lines] = layerOf(spec, 'line');
    const labels = ['OpenAI gpt-4.1-mini', 'Azure gpt-4.1-mini (Global)', 'Own GPU: H100-80GB LoRA, 8B'];
    expect(lines?.encoding?.color.scale.domain).toEqual(labels);
    expect(lines?.data?.values).toHaveLength(curve.length);
    expect(lines?.encoding?.strokeDash.field).toBe('label');
    expect(lines?.encoding?.strokeDash.scale.domain).toEqual(labels);
    expect(lines?.encoding?.strokeDash.scale.range).toEqual([
      [1, 0],
      [1, 0],
      [7, 4],
    ]);
  });

  it('dashes the legend’s symbols like their lines: one legend, keyed on both colour and dash', () => {
    const vega = compile(realChart().spec as never).spec as unknown as {
      legends?: Array<{ stroke?: string; strokeDash?: string; symbolType?: string; symbolSize?: number }>;
    };
    expect(vega.legends).toHaveLength(1);
    const [legend] = vega.legends ?? [];
    expect(legend).toMatchObject({ stroke: 'color', strokeDash: 'strokeDash', symbolType: 'stroke' });
    // Long enough (about 22 px) to show a 7 px dash, a gap and another dash.
    expect(Math.sqrt(legend?.symbolSize ?? 0)).toBeGreaterThan(2 * 7 + 4);
  });

  it('marks the monthly volume the person gave: a labelled rule, and a dot on each line there', () => {
    const { spec } = realChart(1e9);
    const rules = layerOf(spec, 'rule').filter((l) => l.data?.values?.some((v) => /^Your volume/.test(String(v.text))));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.data?.values).toEqual([{ monthlyTokens: 1e9, text: 'Your volume: 1B tokens/month' }]);
    const label = layerOf(spec, 'text').find((l) => l.data?.values?.[0]?.text === 'Your volume: 1B tokens/month');
    expect(label).toBeDefined();
    const dots = layerOf(spec, 'point').find((l) => l.encoding?.color);
    expect(dots?.data?.values?.map((p) => [p.label, p.monthlyTokens])).toEqual([
      ['OpenAI gpt-4.1-mini', 1e9],
      ['Azure gpt-4.1-mini (Global)', 1e9],
      ['Own GPU: H100-80GB LoRA, 8B', 1e9],
    ]);
    expect(dots?.data?.values?.[0]?.monthlyUsd).toBe(1400); // 1B tokens at $1.40 per 1M
  });

  it('marks no volume when none was given, or when it is off the chart', () => {
    for (const volume of [undefined, 1e20]) {
      const { spec } = realChart(volume);
      expect(JSON.stringify(spec)).not.toContain('Your volume');
      expect(layerOf(spec, 'point').filter((l) => l.encoding?.color)).toEqual([]);
    }
  });

  it('leaves room past every line’s first and last point, so no line or dot is cut at the edge', () => {
    const { spec, curve } = realChart(1e9);
    const [lines] = layerOf(spec, 'line');
    const xDomain = lines?.encoding?.x.scale.domain as number[];
    const yDomain = lines?.encoding?.y.scale.domain as number[];
    const xs = curve.map((p) => p.monthlyTokens);
    const ys = curve.map((p) => p.monthlyUsd);
    // A 2.5 px line and a dot of radius ~4 px need at least 5 px from the edge of an 800 × 450 chart.
    expect(pixelsFromEnd(xDomain, Math.max(...xs), 'hi', 650)).toBeGreaterThan(5);
    expect(pixelsFromEnd(xDomain, Math.min(...xs), 'lo', 650)).toBeGreaterThan(5);
    expect(pixelsFromEnd(yDomain, Math.max(...ys), 'hi', 250)).toBeGreaterThan(5);
    expect(pixelsFromEnd(yDomain, Math.min(...ys), 'lo', 250)).toBeGreaterThan(5);
  });

  it('marks each break-even with a rule, a dot, a letter and a line in the key', () => {
    const { spec, marks } = realChart();
    const shown = marks.filter((m) => m.monthlyTokens !== undefined);
    expect(shown).toHaveLength(2);
    expect(layerOf(spec, 'rule')[0]?.data?.values).toHaveLength(2);
    expect(layerOf(spec, 'point')[0]?.data?.values).toHaveLength(2);
    const letters = layerOf(spec, 'text')
      .flatMap((l) => l.data?.values ?? [])
      .map((v) => v.text);
    expect(letters.sort()).toEqual(['A', 'B']);
    expect(spec.title.subtitle.slice(1)).toEqual([
      'A: H100-80GB LoRA, 8B costs the same as Azure gpt-4.1-mini (Global) at 1.36B tokens/month ($2,190/month)',
      'B: H100-80GB LoRA, 8B costs the same as OpenAI gpt-4.1-mini at 1.56B tokens/month ($2,190/month)',
    ]);
  });

  it('titles the chart and both axes with their units, on log scales, at Slack preview size', () => {
    const { spec } = realChart();
    const [lines] = layerOf(spec, 'line');
    expect(spec.title.text).toBe('Monthly cost by monthly volume');
    expect(lines?.encoding?.x.axis.title).toBe('Monthly volume (input + output tokens, log scale)');
    expect(lines?.encoding?.y.axis.title).toBe('Monthly cost (USD, log scale)');
    expect(lines?.encoding?.x.scale.type).toBe('log');
    expect(lines?.encoding?.y.scale.type).toBe('log');
    expect([spec.width, spec.height]).toEqual([800, 450]);
  });

  it('leaves off break-evens it cannot place, and points a log scale cannot show', () => {
    const spec = costChartSpec(
      [
        { label: 'API', monthlyTokens: 1e6, monthlyUsd: 1 },
        { label: 'API', monthlyTokens: 1e8, monthlyUsd: 100 },
        { label: 'API', monthlyTokens: 0, monthlyUsd: 0 },
      ],
      [
        { selfHosted: 'GPU', api: 'API', monthlyTokens: undefined, monthlyUsd: undefined },
        { selfHosted: 'GPU', api: 'API', monthlyTokens: 0, monthlyUsd: 0 },
        { selfHosted: 'GPU', api: 'API', monthlyTokens: 1e12, monthlyUsd: 5 },
      ],
    ) as unknown as Spec;
    expect(layerOf(spec, 'line')[0]?.data?.values).toHaveLength(2);
    expect(layerOf(spec, 'rule')[0]?.data?.values).toEqual([]);
    expect(spec.title.subtitle).toHaveLength(1);
  });

  it('compiles to Vega without complaint', () => {
    const warnings: string[] = [];
    const logger = {
      level: () => logger,
      error: (...args: unknown[]) => void warnings.push(String(args[0])),
      warn: (...args: unknown[]) => void warnings.push(String(args[0])),
      info: () => logger,
      debug: () => logger,
    };
    compile(realChart().spec as never, { logger: logger as never });
    compile(realChart(1e9).spec as never, { logger: logger as never });
    compile(lossChartSpec([{ step: 1, trainLoss: 1 }]), { logger: logger as never });
    expect(warnings).toEqual([]);
  });
});

describe('lossChartSpec()', () => {
  it('skips null and non-finite losses, one row per series that has a value', () => {
    const rows = lossRows([
      { step: 2, trainLoss: 1.5, validLoss: null },
      { step: 1, trainLoss: 2, validLoss: 2.1 },
      { step: 3, trainLoss: null },
      { step: 4, trainLoss: Number.NaN, validLoss: 1.2 },
    ]);
    expect(rows).toEqual([
      { step: 1, series: 'Training loss', loss: 2 },
      { step: 1, series: 'Validation loss', loss: 2.1 },
      { step: 2, series: 'Training loss', loss: 1.5 },
      { step: 4, series: 'Validation loss', loss: 1.2 },
    ]);
  });

  it('plots both series against step', () => {
    const spec = lossChartSpec([{ step: 1, trainLoss: 2, validLoss: 2.1 }]) as unknown as Spec & {
      data: { values: unknown[] };
    };
    expect(spec.data.values).toHaveLength(2);
    expect(layerOf(spec, 'line')[0]?.encoding?.x.axis.title).toBe('Step');
    expect(layerOf(spec, 'line')[0]?.encoding?.color.scale.domain).toEqual(['Training loss', 'Validation loss']);
  });
});
