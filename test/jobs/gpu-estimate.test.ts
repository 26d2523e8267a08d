import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { estimateHost, gpuJobEstimate, paramsFromName } from '../../src/jobs/gpu-estimate.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';

const HOSTS = [
  { name: 'h100-1', gpuType: 'H100-80GB', gpuCount: 1 },
  { name: 'a100-x2', gpuType: 'A100-80GB', gpuCount: 2 },
  { name: 'l40s', gpuType: 'L40S', gpuCount: 1 },
];

describe('the size of a model from its name', () => {
  it.each([
    ['meta-llama/Llama-3.1-8B-Instruct', 8],
    ['Qwen/Qwen2.5-0.5B-Instruct', 0.5],
    ['google/gemma-2-9b-it', 9],
    ['HuggingFaceTB/SmolLM2-135M-Instruct', 0.135],
    ['/srv/models/Mistral-7B-v0.3', 7],
    ['TinyLlama/TinyLlama-1.1B-Chat-v1.0', 1.1],
  ])('%s → %sB', (name, size) => expect(paramsFromName(name)).toBe(size));

  it.each(['gpt2', 'mistralai/Mixtral-8x7B-v0.1', '/models/my-model', 'org/phi-2'])('%s → unknown', (name) =>
    expect(paramsFromName(name)).toBeUndefined(),
  );
});

describe('the host an estimate is priced on', () => {
  it('is the one asked for, else the one auto’s pre-flight ran on, else the cheapest per job', () => {
    expect(estimateHost({ hosts: HOSTS, host: 'a100-x2' }, CATALOGUE)).toEqual({ host: HOSTS[1], picked: 'asked' });
    const preflight = { ok: true, host: 'h100-1', gpuType: 'H100-80GB', problems: [] };
    expect(estimateHost({ hosts: HOSTS, preflight }, CATALOGUE)).toEqual({ host: HOSTS[0], picked: 'preflight' });
    // L40S: $0.86 for 362 TFLOPS is less per job than H100's $3 for 989 or A100's $1.50 for 312.
    expect(estimateHost({ hosts: HOSTS }, CATALOGUE)).toEqual({ host: HOSTS[2], picked: 'cheapest' });
    expect(estimateHost({ hosts: [HOSTS[0], HOSTS[1]] as never }, CATALOGUE)?.host.name).toBe('h100-1');
  });

  it('uses the pre-flight’s GPU type when the provider lists no hosts, and none without a price', () => {
    const preflight = { ok: true, host: 'box', gpuType: 'L4', problems: [] };
    expect(estimateHost({ hosts: [], preflight }, CATALOGUE)).toEqual({
      host: { name: 'box', gpuType: 'L4', gpuCount: 1 },
      picked: 'preflight',
    });
    expect(estimateHost({ hosts: [{ name: 'x', gpuType: 'TPU', gpuCount: 1 }] }, CATALOGUE)).toBeUndefined();
  });
});

describe('the GPU estimate before a LoRA job starts', () => {
  it('follows the FLOPs rule: 4 × 8B × 50M tokens on one H100 at 30% MFU is about 1.5 GPU-hours, $4.49', () => {
    const e = gpuJobEstimate(
      {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        lora: { ...LORA_DEFAULTS, epochs: 5 },
        tokensPerEpoch: 10_000_000,
        hosts: HOSTS,
        host: 'h100-1',
      },
      CATALOGUE,
    );
    if ('reason' in e) throw new Error(e.reason);
    expect(e).toMatchObject({
      paramsB: 8,
      paramsFrom: 'name',
      tokens: 50_000_000,
      hourlyUsd: 3,
      usd: 4.49,
      picked: 'asked',
    });
    expect(e.gpuHours).toBeCloseTo(1.498, 3);
    expect(e.wallHours).toBeCloseTo(e.gpuHours, 6);
  });

  it('trains a job on one of its host’s GPUs (the others are other jobs’ slots), and QLoRA is slower', () => {
    const base = { model: 'x/Model-8B', tokensPerEpoch: 10_000_000, hosts: HOSTS, host: 'a100-x2' };
    const lora = gpuJobEstimate({ ...base, lora: { ...LORA_DEFAULTS, epochs: 5 } }, CATALOGUE);
    const qlora = gpuJobEstimate({ ...base, lora: { ...LORA_DEFAULTS, epochs: 5, method: 'qlora' } }, CATALOGUE);
    if ('reason' in lora || 'reason' in qlora) throw new Error('no estimate');
    expect(lora.wallHours).toBeCloseTo(lora.gpuHours, 6);
    expect(lora.usd).toBe(7.12);
    expect(qlora.gpuHours).toBeCloseTo(lora.gpuHours / 0.8, 6);
  });

  it('prefers the size the pre-flight read from the weights', () => {
    const preflight = { ok: true, host: 'h100-1', gpuType: 'H100-80GB', problems: [], modelParameters: 1_235_814_400 };
    const e = gpuJobEstimate(
      { model: '/models/mine', lora: LORA_DEFAULTS, tokensPerEpoch: 1_000_000, hosts: HOSTS, preflight },
      CATALOGUE,
    );
    expect(e).toMatchObject({ paramsB: 1.236, paramsFrom: 'preflight', picked: 'preflight' });
  });

  it('says why there is no estimate', () => {
    const input = { lora: LORA_DEFAULTS, tokensPerEpoch: 1000, hosts: HOSTS };
    expect(gpuJobEstimate({ ...input, model: '/models/mine' }, CATALOGUE)).toEqual({
      reason:
        'I could not tell how large /models/mine is from its name, and the host’s pre-flight did not say, so there is no estimate.',
    });
    expect(
      gpuJobEstimate({ ...input, model: 'a/B-1B', hosts: [{ name: 'x', gpuType: 'TPU', gpuCount: 1 }] }, CATALOGUE),
    ).toEqual({
      reason: 'The price list has no rate for TPU; set one in PRICES_FILE.',
    });
    expect(gpuJobEstimate({ ...input, model: 'a/B-1B', hosts: [] }, CATALOGUE)).toMatchObject({
      reason: expect.stringContaining('did not say which GPU'),
    });
  });
});
