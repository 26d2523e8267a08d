import { describe, expect, it } from 'vitest';
import { formatCostText } from '../../src/cli/format-cost.ts';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { breakEvens, type CostOption, costCurve, estimate } from '../../src/cost/estimate.ts';
import { loadCatalogue, PricesFileError, type ReadFile } from '../../src/cost/load.ts';
import { compareCosts } from '../../src/reports/cost-comparison.ts';
import { decodeOption, defaultOptions, encodeOption, offeredOptions } from '../../src/reports/cost-options.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const LLAMA_8B = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference';
const FW_8B = 'accounts/fireworks/models/llama-v3p1-8b-instruct';

function run(options: CostOption[], prices = CATALOGUE, trainingTokens = 10e6, epochs = 3) {
  return estimate(
    { trainingTokens, epochs, monthlyInputTokens: 30e6, monthlyOutputTokens: 10e6, options },
    prices,
    NOW,
  );
}

describe('Together AI and Fireworks AI in the catalogue', () => {
  it('carries dated, sourced training brackets for both, marked unverified', () => {
    expect(CATALOGUE.together.training.brackets.map((b) => b.up_to_params_b)).toEqual([16, 69, 100]);
    expect(CATALOGUE.together.training.brackets[0]).toEqual({
      up_to_params_b: 16,
      sft_lora_per_1m: 0.48,
      sft_full_per_1m: 0.54,
      dpo_lora_per_1m: 1.2,
      dpo_full_per_1m: 1.35,
    });
    expect(CATALOGUE.together.training.source).toMatch(
      /together\.ai\/pricing.*docs\.together\.ai\/docs\/fine-tuning\/pricing/,
    );
    expect(CATALOGUE.fireworks.training.brackets).toEqual([
      { up_to_params_b: 16, per_1m: 0.5 },
      { up_to_params_b: 80, per_1m: 3 },
    ]);
    expect(CATALOGUE.fireworks.training.source).toMatch(/fireworks\.ai\/pricing/);
    for (const t of [CATALOGUE.together.training, CATALOGUE.fireworks.training]) {
      expect(t.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(t.note).toMatch(/^UNVERIFIED/);
    }
  });
});

describe('estimates on Together and Fireworks', () => {
  it('prices Together by bracket × method × LoRA/full, evaluations included', () => {
    const { options, errors } = run([
      { provider: 'together', model: LLAMA_8B, paramsB: 8 },
      { provider: 'together', model: LLAMA_8B, paramsB: 8, tuning: 'full' },
      { provider: 'together', model: 'x/Model-70B', paramsB: 70, method: 'dpo' },
      { provider: 'together', model: LLAMA_8B, paramsB: 8, nEvals: 10, validationTokens: 1e6 },
    ]);
    expect(errors).toEqual([]);
    // 30M tokens × $0.48; × $0.54; × $7.25; (30M + 10 × 1M) × $0.48.
    expect(options.map((o) => o.training.usd)).toEqual([14.4, 16.2, 217.5, 19.2]);
    expect(options[0]?.label).toBe('Together Meta-Llama-3.1-8B-Instruct-Reference (LoRA)');
    expect(options[2]?.label).toBe('Together Model-70B (DPO LoRA)');
    expect(options[3]?.assumptions[0]).toMatch(
      /40M tokens processed \(10M × 3 epochs \+ 10 evaluations × 1M validation tokens\) at Together’s \$0\.48 per 1M for supervised LoRA on models up to 16B/,
    );
  });

  it('prices Fireworks per training token by bracket', () => {
    const { options } = run([
      { provider: 'fireworks', model: FW_8B, paramsB: 8 },
      { provider: 'fireworks', model: 'accounts/fireworks/models/llama-v3p1-70b-instruct', paramsB: 70 },
    ]);
    expect(options.map((o) => o.training.usd)).toEqual([15, 90]);
    expect(options[1]?.assumptions[0]).toMatch(/at Fireworks’ \$3\.00 per 1M for models 16–80B \(70B\)/);
  });

  it('leaves serving out and says so, instead of a month at $0', () => {
    const [together] = run([{ provider: 'together', model: LLAMA_8B, paramsB: 8 }]).options;
    expect(together?.monthly).toMatchObject({ totalUsd: 0, notPriced: expect.stringMatching(/not priced/) });
    expect(together?.firstMonthUsd).toBe(together?.training.usd);
    expect(together?.assumptions.join(' ')).toMatch(/Serving the tuned model is not priced/);
  });

  it('says why when the size is unknown or above the last bracket', () => {
    const { options, errors } = run([
      { provider: 'together', model: 'someone/mystery-model' },
      { provider: 'fireworks', model: 'accounts/fireworks/models/huge', paramsB: 405 },
    ]);
    expect(options).toEqual([]);
    expect(errors[0]).toMatch(/size is not known, so its price bracket cannot be chosen/);
    expect(errors[1]).toMatch(/brackets up to 80B; a 405B model is priced per model/);
  });

  it('are in the comparison beside the others, without a break-even or a curve of their own', () => {
    const options = defaultOptions('gpt-4.1-mini-2025-04-14', CATALOGUE);
    expect(options).toEqual(
      expect.arrayContaining([
        { provider: 'together', model: LLAMA_8B, paramsB: 8 },
        { provider: 'fireworks', model: FW_8B, paramsB: 8 },
      ]),
    );
    const request = { trainingTokens: 10e6, epochs: 3, monthlyInputTokens: 30e6, monthlyOutputTokens: 10e6, options };
    const comparison = compareCosts(request, CATALOGUE, NOW);
    expect(comparison.estimates.map((e) => e.label)).toEqual(
      expect.arrayContaining([
        'Together Meta-Llama-3.1-8B-Instruct-Reference (LoRA)',
        'Fireworks llama-v3p1-8b-instruct (LoRA)',
      ]),
    );
    expect(breakEvens(request, CATALOGUE).some((b) => /Together|Fireworks/.test(b.api))).toBe(false);
    expect(costCurve(request, CATALOGUE, [1e6]).some((p) => /Together|Fireworks/.test(p.label))).toBe(false);
    const { chart: _chart, ...data } = comparison;
    const text = formatCostText(data);
    expect(text).toMatch(
      /Together Meta-Llama-3\.1-8B-Instruct-Reference \(LoRA\)\s+\$14\.40\s+not priced\s+\$14\.40 \+ serving/,
    );
    expect(text).toMatch(/not priced \/ \+ serving: Together and Fireworks/);
  });

  it('are offered in the cost modal and survive its encoding, the size read off the model', () => {
    const offered = offeredOptions(CATALOGUE);
    expect(offered.length).toBeLessThanOrEqual(100);
    const together = offered.find((o) => o.value === `together|supervised|lora|${LLAMA_8B}`);
    expect(together?.label).toBe('Together Meta-Llama-3.1-8B-Instruct-Reference (LoRA)');
    expect(offered.some((o) => o.value === `fireworks|${FW_8B}`)).toBe(true);
    expect(decodeOption(`together|dpo|full|${LLAMA_8B}`)).toEqual({
      provider: 'together',
      model: LLAMA_8B,
      paramsB: 8,
      method: 'dpo',
      tuning: 'full',
    });
    expect(decodeOption('together|Qwen/Qwen2.5-72B-Instruct')).toMatchObject({ paramsB: 72 });
    expect(decodeOption(`fireworks|${FW_8B}`)).toEqual({ provider: 'fireworks', model: FW_8B, paramsB: 8 });
    const option = decodeOption(`together|supervised|full|${LLAMA_8B}`);
    expect(option && encodeOption(option)).toBe(`together|supervised|full|${LLAMA_8B}`);
  });
});

describe('PRICES_FILE over the Together and Fireworks sections', () => {
  const FILE = 'prices.json';
  const serve =
    (json: unknown): ReadFile =>
    () =>
      JSON.stringify(json);

  it('replaces a bracket list and the estimates follow', () => {
    const prices = loadCatalogue(
      FILE,
      serve({
        together: {
          training: {
            brackets: [
              { up_to_params_b: 20, sft_lora_per_1m: 1, sft_full_per_1m: 2, dpo_lora_per_1m: 3, dpo_full_per_1m: 4 },
            ],
            source: 'our contract',
            note: 'Negotiated.',
          },
        },
        fireworks: { training: { brackets: [{ up_to_params_b: 100, per_1m: 0.25 }] } },
      }),
    );
    const { options } = run(
      [
        { provider: 'together', model: LLAMA_8B, paramsB: 8 },
        { provider: 'fireworks', model: FW_8B, paramsB: 70 },
      ],
      prices,
    );
    expect(options.map((o) => o.training.usd)).toEqual([30, 7.5]);
    expect(options[0]?.warnings.join(' ')).not.toMatch(/unverified/);
  });

  it.each([
    [
      { together: { training: { brackets: [{ up_to_params_b: 16, sft_lora_per_1m: 0.5 }] } } },
      'together.training.brackets[0].sft_full_per_1m is missing; expects USD per 1M tokens',
    ],
    [
      {
        fireworks: {
          training: {
            brackets: [
              { up_to_params_b: 80, per_1m: 1 },
              { up_to_params_b: 16, per_1m: 2 },
            ],
          },
        },
      },
      'fireworks.training.brackets expects brackets sorted by up_to_params_b, smallest first',
    ],
    [{ fireworks: { training: { price: 1 } } }, 'fireworks.training.price is not a known field'],
    [
      { together: { training: { brackets: [] } } },
      'together.training.brackets expects at least one Together AI training bracket',
    ],
  ])('refuses %j with one clear line', (json, message) => {
    let error: unknown;
    try {
      loadCatalogue(FILE, serve(json));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PricesFileError);
    expect((error as Error).message).toContain(`PRICES_FILE ${FILE}: ${message}`);
  });
});
