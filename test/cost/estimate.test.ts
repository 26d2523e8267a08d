import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { type CostOption, type EstimateInput, estimate, type OptionEstimate } from '../../src/cost/estimate.ts';

const NOW = new Date('2026-11-23T12:00:00Z'); // 44 days before OpenAI stops taking new jobs
const AFTER_CUTOFF = new Date('2027-01-07T00:00:00Z');

const NO_USE = { monthlyInputTokens: 0, monthlyOutputTokens: 0 };

function one(option: CostOption, over: Partial<EstimateInput> = {}, now = NOW): OptionEstimate {
  const { options, errors } = estimate(
    { trainingTokens: 0, epochs: 1, ...NO_USE, options: [option], ...over },
    CATALOGUE,
    now,
  );
  expect(errors).toEqual([]);
  const [only] = options;
  if (!only) throw new Error('no estimate');
  return only;
}

const LLAMA_8B_LORA = (gpu: string, over: Partial<Extract<CostOption, { provider: 'gpu' }>> = {}): CostOption => ({
  provider: 'gpu',
  gpu,
  modelParamsB: 8,
  method: 'lora',
  ...over,
});

describe('estimate(): training, by hand', () => {
  it.each([
    ['1M × 3 epochs on gpt-4.1-mini at $5/1M', { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' }, 1e6, 3, 15],
    ['2M × 2 epochs on gpt-4.1 at $25/1M', { provider: 'openai', model: 'gpt-4.1-2025-04-14' }, 2e6, 2, 100],
    ['1M × 4 epochs on gpt-4o-mini at $3/1M', { provider: 'openai', model: 'gpt-4o-mini-2024-07-18' }, 1e6, 4, 12],
    [
      'Azure’s own example: 1M × 2 epochs on GPT-4.1 Global at $2/1M',
      { provider: 'azure', model: 'gpt-4.1-2025-04-14', tier: 'global' },
      1e6,
      2,
      4,
    ],
    [
      'the same on Standard at $2.50/1M',
      { provider: 'azure', model: 'gpt-4.1-2025-04-14', tier: 'standard' },
      1e6,
      2,
      5,
    ],
    [
      'the same on Developer at $1/1M',
      { provider: 'azure', model: 'gpt-4.1-2025-04-14', tier: 'developer' },
      1e6,
      2,
      2,
    ],
    ['a model id without its date', { provider: 'openai', model: 'gpt-4.1-mini' }, 1e6, 3, 15],
  ] as Array<[string, CostOption, number, number, number]>)('%s → $%s', (_name, option, tokens, epochs, usd) => {
    expect(one(option, { trainingTokens: tokens, epochs }).training.usd).toBe(usd);
  });

  it('reproduces the research worked example: Llama-3.1-8B LoRA on 50M tokens at 30% MFU', () => {
    const h100 = one(LLAMA_8B_LORA('H100-80GB'), { trainingTokens: 50e6 });
    const a100 = one(LLAMA_8B_LORA('A100-80GB'), { trainingTokens: 50e6 });
    expect(h100.training.gpuHours).toBe(1.5); // 1.6e18 FLOPs ÷ (989e12 × 0.3) = 5,392 s
    expect(a100.training.gpuHours).toBe(4.75); // 1.6e18 ÷ (312e12 × 0.3) = 17,094 s
    expect(h100.training.usd).toBe(4.49); // 1.4979 h × $3.00
    expect(a100.training.usd).toBe(7.12); // 4.7483 h × $1.50
    expect(h100.assumptions[0]).toMatch(/4 × 8B parameters × 50M tokens ÷ \(989 TFLOPS × 30% MFU × 1 GPU\)/);
  });

  it.each([
    ['QLoRA keeps 80% of LoRA’s speed', { method: 'qlora' }, 1.87, 1.87],
    ['a full fine-tune does 6N, not 4N', { method: 'full' }, 2.25, 2.25],
    ['two GPUs halve the wall time, not the GPU-hours', { gpuCount: 2 }, 1.5, 0.75],
    ['an MFU of 60% halves both', { mfu: 0.6 }, 0.75, 0.75],
  ] as Array<[string, Partial<Extract<CostOption, { provider: 'gpu' }>>, number, number]>)(
    '%s',
    (_name, over, gpuHours, wallHours) => {
      const e = one(LLAMA_8B_LORA('H100-80GB', over), { trainingTokens: 50e6 });
      expect(e.training.gpuHours).toBe(gpuHours);
      expect(e.training.wallHours).toBe(wallHours);
    },
  );

  it('says when a MFU was given rather than assumed, and names the QLoRA slowdown’s source', () => {
    const e = one(LLAMA_8B_LORA('H100-80GB', { method: 'qlora', mfu: 0.4 }), { trainingTokens: 1e6 });
    expect(e.assumptions.join(' ')).toMatch(/MFU 40% is as given/);
    expect(e.assumptions.join(' ')).toMatch(/torchtune.*2,413 vs 3,083/);
  });
});

describe('estimate(): a month of use', () => {
  it('bills OpenAI tokens at fine-tuned rates, with no hosting', () => {
    const e = one(
      { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' },
      { monthlyInputTokens: 10e6, monthlyOutputTokens: 2e6 },
    );
    expect(e.monthly).toEqual({ inferenceUsd: 14.4, hostingUsd: 0, totalUsd: 14.4 }); // 10 × $0.80 + 2 × $3.20
  });

  it.each([
    ['standard', 1241],
    ['global', 1241],
  ] as const)('Azure %s hosting is $1.70 × 730 h: $%s', (tier, hosting) => {
    const e = one(
      { provider: 'azure', model: 'gpt-4.1-2025-04-14', tier },
      { monthlyInputTokens: 20e6, monthlyOutputTokens: 40e6 },
    );
    expect(e.monthly.hostingUsd).toBe(hosting);
    expect(e.monthly.inferenceUsd).toBe(360); // 20 × $2 + 40 × $8
    expect(e.monthly.totalUsd).toBe(360 + hosting);
  });

  it('gives the Developer tier no month at all: its deployment is deleted after 24 hours', () => {
    const e = one(
      { provider: 'azure', model: 'gpt-4.1-2025-04-14', tier: 'developer' },
      { trainingTokens: 1e6, epochs: 2, monthlyInputTokens: 20e6, monthlyOutputTokens: 40e6 },
    );
    expect(e.monthly).toEqual({
      inferenceUsd: 0,
      hostingUsd: 0,
      totalUsd: 0,
      evaluationOnly: 'Not a monthly service — the deployment is deleted after 24 hours, so it is for evaluation only.',
    });
    expect(e.training.usd).toBe(2); // 2M billed tokens at $1/1M: training is still priced
    expect([e.firstMonthUsd, e.twelveMonthsUsd]).toEqual([2, 2]);
    expect(e.assumptions.join(' ')).toContain(
      'No month of serving is priced: a Developer-tier deployment is deleted after 24 hours.',
    );
    expect(e.assumptions.join(' ')).not.toMatch(/× 730 hours/);
  });

  it('keeps one GPU on all month for a small volume, more as the volume grows', () => {
    const small = one(LLAMA_8B_LORA('H100-80GB'), { monthlyInputTokens: 1e6, monthlyOutputTokens: 1e6 });
    expect(small.monthly).toEqual({ inferenceUsd: 0, hostingUsd: 2190, totalUsd: 2190, servingGpus: 1 }); // $3 × 730
    // One H100 serves 8,000 tok/s at full load for 8B, half used: 4,000 × 3,600 × 730 = 10.512B tokens a month.
    const justOver = one(LLAMA_8B_LORA('H100-80GB'), { monthlyInputTokens: 10.6e9, monthlyOutputTokens: 0 });
    expect(justOver.monthly.servingGpus).toBe(2);
    expect(justOver.assumptions.join(' ')).toMatch(/assumption, not a measurement/);
  });

  it('serves a model too big for one GPU on a power-of-two group of them', () => {
    // 70B × 2 bytes × 1.2 = 168 GB → 3 × 80 GB → 4 GPUs for tensor parallelism.
    const e = one(
      { provider: 'gpu', gpu: 'H100-80GB', modelParamsB: 70, method: 'qlora' },
      { monthlyInputTokens: 1e6, monthlyOutputTokens: 0 },
    );
    expect(e.monthly.servingGpus).toBe(4);
    expect(e.monthly.hostingUsd).toBe(4 * 2190);
  });

  it('adds training to one month and to twelve', () => {
    const e = one(
      { provider: 'azure', model: 'gpt-4.1-2025-04-14', tier: 'global' },
      { trainingTokens: 1e6, epochs: 2, monthlyInputTokens: 20e6, monthlyOutputTokens: 40e6 },
    );
    expect(e.firstMonthUsd).toBe(4 + 1601);
    expect(e.twelveMonthsUsd).toBe(4 + 12 * 1601);
  });

  it('rounds money to the cent and hours to the hundredth', () => {
    const e = one(LLAMA_8B_LORA('L4'), {
      trainingTokens: 1_234_567,
      epochs: 3,
      monthlyInputTokens: 1,
      monthlyOutputTokens: 1,
    });
    for (const usd of [e.training.usd, e.monthly.totalUsd, e.firstMonthUsd, e.twelveMonthsUsd]) {
      expect(Math.round(usd * 100) / 100).toBe(usd);
    }
    expect(Math.round((e.training.gpuHours ?? 0) * 100) / 100).toBe(e.training.gpuHours);
  });
});

describe('estimate(): warnings, dates and sources', () => {
  it('warns about OpenAI’s wind-down with the days left, using the clock it is given', () => {
    const before = one({ provider: 'openai', model: 'gpt-4.1-nano-2025-04-14' });
    expect(before.warnings[0]).toMatch(/winding down.*2026-05-07.*2027-01-06 \(in 44 days\)/);
    const after = one({ provider: 'openai', model: 'gpt-4.1-nano-2025-04-14' }, {}, AFTER_CUTOFF);
    expect(after.warnings[0]).toMatch(/stopped accepting new fine-tuning jobs on 2027-01-06/);
  });

  it('warns that Developer-tier deployments live 24 hours, and that idle ones are deleted', () => {
    const dev = one({ provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'developer' });
    expect(dev.warnings.join(' ')).toMatch(/removed after 24 hours.*not for production/);
    const global = one({ provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'global' });
    expect(global.warnings.join(' ')).toMatch(/no calls for 15 days in a row is deleted/);
  });

  it('flags the Azure training rate as a placeholder next to what OpenAI charges', () => {
    const e = one({ provider: 'azure', model: 'gpt-4.1-mini-2025-04-14', tier: 'global' });
    expect(e.warnings.join(' ')).toMatch(/\$0\.40\/1M\) is a placeholder.*OpenAI charges \$5\.00\/1M/);
  });

  it('warns when training will not fit in GPU memory', () => {
    const e = one({ provider: 'gpu', gpu: 'A10G', modelParamsB: 13, method: 'lora' });
    expect(e.warnings.join(' ')).toMatch(/needs about 30 GB of GPU memory, more than the 24 GB .* or QLoRA/);
  });

  it('dates each estimate by its oldest price and lists its sources', () => {
    const e = one(LLAMA_8B_LORA('L4'));
    expect(e.asOf).toBe('2025-06-01');
    expect(e.sources.join(' ')).toMatch(/g6\.xlarge/);
    expect(e.assumptions.join(' ')).toMatch(/unverified/);
  });
});

describe('estimate(): bad options and inputs', () => {
  it('reports unknown models and GPUs in plain words and still estimates the rest', () => {
    const { options, errors } = estimate(
      {
        trainingTokens: 1e6,
        epochs: 3,
        ...NO_USE,
        options: [
          { provider: 'openai', model: 'gpt-5-turbo' },
          { provider: 'gpu', gpu: 'TPUv5', modelParamsB: 8, method: 'lora' },
          { provider: 'gpu', gpu: 'A100', modelParamsB: 8, method: 'lora' },
          { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14' },
          { provider: 'gpu', gpu: 'h100', modelParamsB: 8, method: 'lora' },
        ],
      },
      CATALOGUE,
      NOW,
    );
    expect(options.map((o) => o.label)).toEqual(['OpenAI gpt-4.1-mini', 'Own GPU: h100 LoRA, 8B']);
    expect(errors).toEqual([
      expect.stringMatching(
        /^OpenAI gpt-5-turbo: the price list has no OpenAI model called “gpt-5-turbo”; it knows gpt-4\.1-2025-04-14, /,
      ),
      expect.stringMatching(/^Own GPU: TPUv5 LoRA, 8B: the price list has no GPU called “TPUv5”; it knows A10G, L4, /),
      'Own GPU: A100 LoRA, 8B: “A100” could be A100-40GB or A100-80GB: say which.',
    ]);
  });

  it.each([
    ['a model size of 0', { modelParamsB: 0 }, /model size must be a number of billions of parameters above 0/],
    ['half a GPU', { gpuCount: 0.5 }, /GPU count must be a whole number from 1 to 1,024, not 0\.5/],
    [
      'an MFU of 30 (a percentage)',
      { mfu: 30 },
      /MFU must be a fraction above 0 and at most 1 \(0\.3 is 30%\), not 30/,
    ],
  ] as Array<[string, Partial<Extract<CostOption, { provider: 'gpu' }>>, RegExp]>)(
    'says what is wrong with %s',
    (_name, over, message) => {
      const { options, errors } = estimate(
        { trainingTokens: 1, epochs: 1, ...NO_USE, options: [LLAMA_8B_LORA('L4', over)] },
        CATALOGUE,
        NOW,
      );
      expect(options).toEqual([]);
      expect(errors[0]).toMatch(message);
    },
  );

  it('refuses impossible volumes before anything else', () => {
    const { options, errors } = estimate(
      {
        trainingTokens: -1,
        epochs: 0,
        monthlyInputTokens: Number.NaN,
        monthlyOutputTokens: 0,
        options: [LLAMA_8B_LORA('L4')],
      },
      CATALOGUE,
      NOW,
    );
    expect(options).toEqual([]);
    expect(errors).toEqual([
      'The number of training tokens must be a number of at least 0, not -1.',
      'The number of epochs must be a number above 0, not 0.',
      'The monthly input tokens must be a number of at least 0, not NaN.',
    ]);
  });

  it('keeps labels apart when an option is listed twice', () => {
    const { options } = estimate(
      { trainingTokens: 1, epochs: 1, ...NO_USE, options: [LLAMA_8B_LORA('L4'), LLAMA_8B_LORA('L4')] },
      CATALOGUE,
      NOW,
    );
    expect(options.map((o) => o.label)).toEqual(['Own GPU: L4 LoRA, 8B', 'Own GPU: L4 LoRA, 8B #2']);
  });
});
