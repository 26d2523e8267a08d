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
};
type Spec = { title: { text: string; subtitle: string[] }; width: number; height: number; layer: Layer[] };

const OPTIONS: CostOption[] = [
  { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' },
  { provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'global' },
  { provider: 'gpu', gpu: 'H100-80GB', modelParamsB: 8, method: 'lora' },
];
const INPUT = { monthlyInputTokens: 750e6, monthlyOutputTokens: 250e6, options: OPTIONS };

function realChart(): { spec: Spec; marks: BreakEvenMark[]; curve: CostCurvePoint[] } {
  const marks = breakEvens(INPUT, CATALOGUE);
  const volumes = curveVolumes(
    1e9,
    marks.flatMap((b) => (b.monthlyTokens ? [b.monthlyTokens] : [])),
  );
  const curve = costCurve(INPUT, CATALOGUE, volumes);
  return { spec: costChartSpec(curve, marks) as unknown as Spec, marks, curve };
}

const layerOf = (spec: Spec, type: string) =>
  spec.layer.filter((l) => (typeof l.mark === 'string' ? l.mark : l.mark.type) === type);

describe('costChartSpec()', () => {
  it('draws one line per option, dashed for self-hosting', () => {
    const { spec, curve } = realChart();
    const [lines] = layerOf(spec, 'line');
    expect(lines?.encoding?.color.scale.domain).toEqual([
      'OpenAI gpt-4.1-mini',
      'Azure gpt-4.1-mini (Global)',
      'Own GPU: H100-80GB LoRA, 8B',
    ]);
    expect(lines?.data?.values).toHaveLength(curve.length);
    const kinds = new Set(lines?.data?.values?.filter((p) => p.selfHosted).map((p) => p.kind));
    expect([...kinds]).toEqual(['your own GPUs, on all month']);
    expect(lines?.encoding?.strokeDash.scale.range[1]).toEqual([7, 4]);
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
