import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import {
  breakEvenMonthlyTokens,
  breakEvens,
  type CostOption,
  costCurve,
  curveVolumes,
  estimate,
} from '../../src/cost/estimate.ts';
import { applyPricesFile } from '../support/prices.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const gpu = (id: string, modelParamsB = 8): CostOption => ({ provider: 'gpu', gpu: id, modelParamsB, method: 'lora' });
const OPENAI_MINI: CostOption = { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' };
const AZURE_MINI: CostOption = { provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'global' };
const AZURE_NANO: CostOption = { provider: 'azure', model: 'gpt-4.1-nano-2025-04-14', tier: 'global' };
const AZURE_DEV: CostOption = { provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'developer' };

/** Monthly totals of both options at a volume split 3:1, through estimate() itself. */
function monthly(option: CostOption, tokens: number): number {
  const { options } = estimate(
    {
      trainingTokens: 0,
      epochs: 1,
      monthlyInputTokens: tokens * 0.75,
      monthlyOutputTokens: tokens * 0.25,
      options: [option],
    },
    CATALOGUE,
    NOW,
  );
  return options[0]?.monthly.totalUsd ?? Number.NaN;
}

describe('breakEvenMonthlyTokens()', () => {
  it('is where one always-on H100 costs what gpt-4.1-mini does: $2,190 ÷ $1.40 per 1M', () => {
    // Blended 3:1 rate: 0.75 × $0.80 + 0.25 × $3.20 = $1.40 per 1M tokens.
    const v = breakEvenMonthlyTokens(gpu('H100-80GB'), OPENAI_MINI, CATALOGUE, 3);
    expect(v).toBeCloseTo(2190 / 1.4e-6, 0);
  });

  it('counts the Azure hosting fee on the API side', () => {
    // ($2,190 − $1,241) ÷ (0.75 × $0.40 + 0.25 × $1.60 = $0.70 per 1M)
    expect(breakEvenMonthlyTokens(gpu('H100-80GB'), AZURE_MINI, CATALOGUE, 3)).toBeCloseTo((2190 - 1241) / 0.7e-6, 0);
  });

  it('takes estimates as well as options', () => {
    const { options } = estimate(
      {
        trainingTokens: 0,
        epochs: 1,
        monthlyInputTokens: 0,
        monthlyOutputTokens: 0,
        options: [gpu('H100-80GB'), OPENAI_MINI],
      },
      CATALOGUE,
      NOW,
    );
    const [self, api] = options;
    if (!self || !api) throw new Error('no estimates');
    expect(breakEvenMonthlyTokens(self, api, CATALOGUE, 3)).toBe(
      breakEvenMonthlyTokens(gpu('H100-80GB'), OPENAI_MINI, CATALOGUE, 3),
    );
  });

  it('is 0 when self-hosting never costs more', () => {
    // An L40S ($627.80 a month) is below Azure's hosting fee alone, and cheaper per token at full use.
    expect(breakEvenMonthlyTokens(gpu('L40S'), AZURE_MINI, CATALOGUE, 3)).toBe(0);
  });

  it('is undefined when the API is cheaper per token than a fully used GPU', () => {
    // Azure nano: 0.75 × $0.10 + 0.25 × $0.40 = $0.175 per 1M; an H100 at full assumed use is ≈ $0.21.
    expect(breakEvenMonthlyTokens(gpu('H100-80GB'), AZURE_NANO, CATALOGUE, 3)).toBeUndefined();
  });

  it('moves with the input:output ratio', () => {
    const outputHeavy = breakEvenMonthlyTokens(gpu('H100-80GB'), OPENAI_MINI, CATALOGUE, 1 / 3) ?? 0;
    const inputHeavy = breakEvenMonthlyTokens(gpu('H100-80GB'), OPENAI_MINI, CATALOGUE, 10) ?? 0;
    expect(outputHeavy).toBeLessThan(inputHeavy);
    expect(breakEvenMonthlyTokens(gpu('H100-80GB'), OPENAI_MINI, CATALOGUE, Number.POSITIVE_INFINITY)).toBeCloseTo(
      2190 / 0.8e-6,
      0,
    );
  });

  it.each([
    ['A100-80GB', OPENAI_MINI],
    ['H100-80GB', OPENAI_MINI],
    ['H200-141GB', AZURE_MINI],
    ['L4', OPENAI_MINI],
    ['A10G', { provider: 'openai', model: 'gpt-4o-mini-2024-07-18' } as CostOption],
    ['L40S', { provider: 'openai', model: 'gpt-4.1-nano-2025-04-14' } as CostOption],
  ] as Array<[string, CostOption]>)('for %s, self-hosting costs more just below and no more above', (id, api) => {
    const v = breakEvenMonthlyTokens(gpu(id), api, CATALOGUE, 3);
    if (v === undefined || v === 0) throw new Error(`expected a positive break-even, got ${v}`);
    expect(monthly(gpu(id), v * 0.99)).toBeGreaterThan(monthly(api, v * 0.99));
    for (const k of [1.0001, 1.5, 3, 10, 100]) {
      expect(monthly(gpu(id), v * k)).toBeLessThanOrEqual(monthly(api, v * k) + 0.01);
    }
  });

  it('finds where self-hosting wins for good when the first crossing does not last', () => {
    // A GPU priced at 99% of what a fully used one saves: cheaper just below one copy's capacity,
    // dearer again the moment a second copy starts, and cheaper for good only from ~99 copies on.
    const rPerToken = 1.4e-6;
    const copy = 4000 * 3600 * 730;
    const hourly = (0.99 * rPerToken * copy) / 730;
    const catalogue = applyPricesFile(
      CATALOGUE,
      JSON.stringify({ gpus: { 'H100-80GB': { hourly_usd: hourly } } }),
      'test.json',
    );
    const cost = (option: CostOption, tokens: number) =>
      costCurve({ monthlyInputTokens: 3, monthlyOutputTokens: 1, options: [option] }, catalogue, [tokens])[0]
        ?.monthlyUsd ?? 0;
    const v = breakEvenMonthlyTokens(gpu('H100-80GB'), OPENAI_MINI, catalogue, 3) ?? 0;
    expect(v / copy).toBeGreaterThan(98);
    expect(v / copy).toBeLessThan(100);
    expect(cost(gpu('H100-80GB'), 0.999 * copy)).toBeLessThan(cost(OPENAI_MINI, 0.999 * copy));
    expect(cost(gpu('H100-80GB'), 1.001 * copy)).toBeGreaterThan(cost(OPENAI_MINI, 1.001 * copy));
    // Just below it (inside the same step) the API is still cheaper; the step before has a brief window.
    expect(cost(gpu('H100-80GB'), v * 0.99999)).toBeGreaterThan(cost(OPENAI_MINI, v * 0.99999));
    for (let k = 1.0001; k < 30; k *= 1.01) {
      expect(cost(gpu('H100-80GB'), v * k)).toBeLessThanOrEqual(cost(OPENAI_MINI, v * k) + 0.01);
    }
  });

  it('throws on options that are not a self-hosted and an API one, or are unknown', () => {
    expect(() => breakEvenMonthlyTokens(OPENAI_MINI, OPENAI_MINI, CATALOGUE, 3)).toThrow(/is not a self-hosted option/);
    expect(() => breakEvenMonthlyTokens(gpu('L4'), gpu('L4'), CATALOGUE, 3)).toThrow(/is not an API option/);
    expect(() => breakEvenMonthlyTokens(gpu('B300'), OPENAI_MINI, CATALOGUE, 3)).toThrow(/no GPU called “B300”/);
    expect(() => breakEvenMonthlyTokens(gpu('L4'), OPENAI_MINI, CATALOGUE, -1)).toThrow(/ratio must be 0 or more/);
  });

  it('refuses the Developer tier: a deployment deleted after 24 hours has no month to break even with', () => {
    expect(() => breakEvenMonthlyTokens(gpu('L4'), AZURE_DEV, CATALOGUE, 3)).toThrow(
      'Azure gpt-4.1-mini (Developer) is for evaluation only (its deployment is deleted after 24 hours): it has no monthly cost to break even with.',
    );
  });
});

describe('breakEvens()', () => {
  it('pairs every self-hosted option with every API option that serves all month, with labels and the cost at the crossing', () => {
    const list = breakEvens(
      {
        monthlyInputTokens: 3e9,
        monthlyOutputTokens: 1e9,
        options: [OPENAI_MINI, gpu('H100-80GB'), AZURE_NANO, AZURE_DEV, gpu('L4'), gpu('B300')],
      },
      CATALOGUE,
    );
    expect(list.map((b) => [b.selfHosted, b.api])).toEqual([
      ['Own GPU: H100-80GB LoRA, 8B', 'OpenAI gpt-4.1-mini'],
      ['Own GPU: H100-80GB LoRA, 8B', 'Azure gpt-4.1-nano (Global)'],
      ['Own GPU: L4 LoRA, 8B', 'OpenAI gpt-4.1-mini'],
      ['Own GPU: L4 LoRA, 8B', 'Azure gpt-4.1-nano (Global)'],
    ]);
    expect(list[0]).toMatchObject({ monthlyUsd: 2190 });
    expect(list[1]).toMatchObject({ monthlyTokens: undefined, monthlyUsd: undefined });
    expect(list[1]?.selfHostedCheaperBelow).toBeUndefined();
  });

  it('says up to what volume a small GPU beats a large hosting fee when it never wins for good', () => {
    // An L4 ($587.65 a month) undercuts Azure's $1,241 hosting at low volume, but at $0.37 per 1M
    // at full use it loses to nano's $0.175 per 1M once enough copies are running.
    const [l4] = breakEvens(
      { monthlyInputTokens: 3, monthlyOutputTokens: 1, options: [gpu('L4'), AZURE_NANO] },
      CATALOGUE,
    );
    expect(l4?.monthlyTokens).toBeUndefined();
    const below = l4?.selfHostedCheaperBelow ?? 0;
    expect(below).toBeGreaterThan(1e9);
    expect(monthly(gpu('L4'), below * 0.99)).toBeLessThan(monthly(AZURE_NANO, below * 0.99));
    expect(monthly(gpu('L4'), below * 1.001)).toBeGreaterThan(monthly(AZURE_NANO, below * 1.001));
  });
});

describe('costCurve() and curveVolumes()', () => {
  const input = {
    monthlyInputTokens: 75e6,
    monthlyOutputTokens: 25e6,
    options: [OPENAI_MINI, AZURE_MINI, gpu('H100-80GB')],
  };

  it('gives every option a point at every volume, in monthly USD', () => {
    const curve = costCurve(input, CATALOGUE, [1e6, 1e8]);
    const api = curve.filter((p) => !p.selfHosted);
    expect(api).toEqual([
      { label: 'OpenAI gpt-4.1-mini', monthlyTokens: 1e6, monthlyUsd: 1.4, selfHosted: false },
      { label: 'OpenAI gpt-4.1-mini', monthlyTokens: 1e8, monthlyUsd: 140, selfHosted: false },
      { label: 'Azure gpt-4.1-mini (Global)', monthlyTokens: 1e6, monthlyUsd: 1241.7, selfHosted: false },
      { label: 'Azure gpt-4.1-mini (Global)', monthlyTokens: 1e8, monthlyUsd: 1311, selfHosted: false },
    ]);
    expect(curve.filter((p) => p.selfHosted).map((p) => p.monthlyUsd)).toEqual([2190, 2190]);
  });

  it('draws the self-hosted staircase: a point each side of every step', () => {
    const curve = costCurve({ ...input, options: [gpu('H100-80GB')] }, CATALOGUE, [1e9, 3e10]);
    const copy = 4000 * 3600 * 730; // tokens one H100 serves a month for 8B, half used
    expect(curve.map((p) => p.monthlyUsd)).toEqual([2190, 2190, 4380, 4380, 6570, 6570]);
    expect(curve[1]?.monthlyTokens).toBeCloseTo(copy, 0);
    expect(curve.every((p, i) => i === 0 || p.monthlyTokens >= (curve[i - 1]?.monthlyTokens ?? 0))).toBe(true);
  });

  it('skips options the catalogue cannot price, and the Developer tier, which has no month to draw', () => {
    expect(costCurve({ ...input, options: [gpu('B300')] }, CATALOGUE, [1e6])).toEqual([]);
    expect(costCurve({ ...input, options: [AZURE_DEV] }, CATALOGUE, [1e6, 1e8])).toEqual([]);
  });

  it('spans two decades each side of the volume, and includes the break-evens exactly', () => {
    const volumes = curveVolumes(1e8, [1.564e9, 7e11]);
    expect(volumes[0]).toBe(1e6);
    expect(volumes.at(-1)).toBe(1e13);
    expect(volumes).toContain(1.564e9);
    expect(volumes).toContain(7e11);
    expect([...volumes].sort((a, b) => a - b)).toEqual(volumes);
  });
});
