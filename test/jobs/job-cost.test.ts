import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { loadCatalogue } from '../../src/cost/load.ts';
import { trainingRate, trainingUsd } from '../../src/jobs/job-cost.ts';
import type { JobRequest } from '../../src/store/types.ts';

const request = (over: Partial<JobRequest> = {}): JobRequest => ({
  model: 'gpt-4.1-mini-2025-04-14',
  method: 'supervised',
  hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
  ...over,
});
const hp = (extra: Partial<JobRequest['hyperparameters']>) => ({
  hyperparameters: { nEpochs: 3, batchSize: 'auto' as const, learningRateMultiplier: 'auto' as const, ...extra },
});
const LLAMA_8B = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference';

describe('what a hosted job costs to train', () => {
  it('prices OpenAI and Azure by model and tier, and says when Azure’s rate is a placeholder', () => {
    expect(trainingUsd('openai', request(), 2e6, CATALOGUE)).toBe(10);
    expect(trainingUsd('azure', request({ trainingType: 'globalstandard' }), 2e6, CATALOGUE)).toBe(0.8);
    expect(trainingRate('azure', request({ trainingType: 'standard' }), CATALOGUE)).toMatchObject({
      perMillion: 0.5,
      placeholder: true,
    });
    expect(trainingRate('openai', request(), CATALOGUE)?.placeholder).toBe(false);
    const corrected = loadCatalogue('p.json', () =>
      JSON.stringify({ azure: { models: { 'gpt-4.1-mini-2025-04-14': { training: { standard_per_1m: 4 } } } } }),
    );
    expect(trainingRate('azure', request({ trainingType: 'standard' }), corrected)).toMatchObject({
      perMillion: 4,
      placeholder: false,
    });
    expect(trainingRate('azure', request({ trainingType: 'developer' }), corrected)?.placeholder).toBe(true);
  });

  it('prices Together by the model’s size bracket, the method and LoRA or full (LoRA by default)', () => {
    const together = (over: Partial<JobRequest>) =>
      trainingUsd('together', request({ model: LLAMA_8B, ...over }), 10e6, CATALOGUE);
    expect(together({})).toBe(4.8); // $0.48/1M
    expect(together(hp({ tuning: 'full' }))).toBe(5.4);
    expect(together({ method: 'dpo' })).toBe(12);
    expect(together({ method: 'dpo', ...hp({ tuning: 'full' }) })).toBe(13.5);
    expect(trainingUsd('together', request({ model: 'Qwen/Qwen2.5-72B-Instruct' }), 10e6, CATALOGUE)).toBe(29);
  });

  it('adds Together’s evaluations, n_evals × the validation tokens, when they are known', () => {
    const r = request({ model: LLAMA_8B, validationFileId: 'file-v', ...hp({ nEvals: 5 }) });
    expect(trainingUsd('together', r, 10e6, CATALOGUE, { validationTokens: 2e6 })).toBe(9.6); // 20M × $0.48
    expect(trainingUsd('together', r, 10e6, CATALOGUE)).toBe(4.8);
    expect(trainingUsd('openai', request(hp({ nEvals: 5 })), 2e6, CATALOGUE, { validationTokens: 2e6 })).toBe(10);
  });

  it('prices Fireworks per training token by bracket', () => {
    const fw = (model: string) => trainingUsd('fireworks', request({ model }), 10e6, CATALOGUE);
    expect(fw('accounts/fireworks/models/llama-v3p1-8b-instruct')).toBe(5);
    expect(fw('accounts/fireworks/models/llama-v3p1-70b-instruct')).toBe(30);
  });

  it('is undefined where no price applies, never a wrong $0', () => {
    expect(trainingUsd('together', request({ model: 'someone/no-size-here' }), 1e6, CATALOGUE)).toBeUndefined();
    expect(trainingUsd('together', request({ model: 'Qwen/Qwen3-235B-A22B' }), 1e6, CATALOGUE)).toBeUndefined();
    expect(
      trainingUsd('fireworks', request({ model: 'accounts/fireworks/models/mystery' }), 1e6, CATALOGUE),
    ).toBeUndefined();
    expect(trainingUsd('azure', request({ model: 'gpt-35-turbo-0125' }), 1e6, CATALOGUE)).toBeUndefined();
    expect(trainingUsd('gpu', request(), 1e6, CATALOGUE)).toBeUndefined();
    expect(trainingUsd('openai', request(), Number.NaN, CATALOGUE)).toBeUndefined();
  });
});
