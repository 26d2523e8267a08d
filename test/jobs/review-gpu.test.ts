import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { DEFAULT_MODEL } from '../../src/data/models.ts';
import type { ValidationReport } from '../../src/data/report.ts';
import { reviewFacts, validationOptions } from '../../src/jobs/review.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import type { JobRequest } from '../../src/store/types.ts';

const HOSTS = [
  { name: 'h100-1', gpuType: 'H100-80GB', gpuCount: 1 },
  { name: 'l40s', gpuType: 'L40S', gpuCount: 1 },
];
const request: JobRequest = {
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  method: 'supervised',
  trainingFileName: 'tickets.jsonl',
  hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
  lora: { ...LORA_DEFAULTS, epochs: 2 },
};
const quantiles = (max: number) => ({ min: 10, p50: 100, p95: 500, max, total: 1000 });
const report = (over: Partial<ValidationReport> = {}): ValidationReport =>
  ({
    ok: true,
    model: DEFAULT_MODEL,
    encoding: 'o200k_base',
    tokenLimit: 65_536,
    format: 'chat',
    bytes: 1000,
    lines: 100,
    examples: 100,
    validExamples: 100,
    errors: [],
    errorCounts: {},
    totalErrors: 0,
    warnings: [],
    stats: { messages: quantiles(3), tokens: quantiles(900), assistantTokens: quantiles(100) },
    truncatedExamples: 0,
    epochs: { value: 3, auto: true },
    trainingTokens: 5_000_000,
    billableTokens: 15_000_000,
    ...over,
  }) as ValidationReport;
const policy = { approvers: [] };
const okPreflight = {
  ok: true,
  host: 'h100-1',
  gpuType: 'H100-80GB',
  gpuName: 'NVIDIA H100 80GB HBM3',
  gpuMemoryBytes: 85_520_000_000,
  freeGpuMemoryBytes: 84_000_000_000,
  freeDiskBytes: 400e9,
  neededDiskBytes: 20e9,
  problems: [],
};

describe('the review of a LoRA job on GPU hosts', () => {
  it('validates the file with the default model’s tokenizer, since the open model’s is on the host', () => {
    expect(validationOptions(request)).toEqual({ model: DEFAULT_MODEL, epochs: 'auto' });
    const hosted = {
      ...request,
      lora: undefined,
      model: 'gpt-4.1-mini-2025-04-14',
      hyperparameters: { ...request.hyperparameters, nEpochs: 4 },
    };
    expect(validationOptions(hosted)).toEqual({ model: 'gpt-4.1-mini-2025-04-14', epochs: 4 });
  });

  it('estimates from the FLOPs rule on the host the pre-flight checked, and may start when it passed', () => {
    const facts = reviewFacts('gpu', request, report(), CATALOGUE, policy, { hosts: HOSTS, preflight: okPreflight });
    expect(facts.canStart).toBe(true);
    expect(facts.validation).toMatchObject({ billableTokens: 10_000_000, epochs: 2, epochsAuto: false });
    // 4 × 8e9 × 1e7 ÷ (989e12 × 0.3) s ≈ 0.30 h at $3.
    expect(facts.estimateUsd).toBe(0.9);
    expect(facts.gpu?.host).toMatchObject({ name: 'h100-1', picked: 'preflight', hourlyUsd: 3 });
    expect(facts.gpu?.preflight).toMatchObject({ ok: true, host: 'h100-1', freeDiskBytes: 400e9 });
    expect(facts.assumptions).toContain(
      'FLOPs rule: 4 × 8B parameters (from the model’s name) × 10,000,000 tokens (5,000,000 × 2 epochs)',
    );
    expect(facts.assumptions).toContain('H100-80GB on h100-1: the host auto picked for the pre-flight');
  });

  it('cannot start when the pre-flight fails, and keeps its problems', () => {
    const failed = {
      ...okPreflight,
      ok: false,
      problems: [
        {
          reason: 'gated_model',
          message: 'meta-llama/Llama-3.1-8B-Instruct is gated.',
          hint: 'Accept the licence on the hub.',
        },
      ],
    };
    const facts = reviewFacts('gpu', request, report(), CATALOGUE, policy, { hosts: HOSTS, preflight: failed });
    expect(facts.canStart).toBe(false);
    expect(facts.gpu?.preflight?.problems).toEqual(failed.problems);
  });

  it('cannot start when the pre-flight could not run, and says why as its problem', () => {
    const facts = reviewFacts('gpu', { ...request, host: 'l40s' }, report(), CATALOGUE, policy, {
      hosts: HOSTS,
      preflight: { error: { message: 'GPU host "l40s" refused the connection.', hint: 'Is sshd running?' } },
    });
    expect(facts.canStart).toBe(false);
    expect(facts.gpu?.preflight).toEqual({
      ok: false,
      host: 'l40s',
      problems: [
        {
          reason: 'unreachable',
          message: 'The pre-flight could not run: GPU host "l40s" refused the connection.',
          hint: 'Is sshd running?',
        },
      ],
    });
    expect(facts.gpu?.host).toMatchObject({ name: 'l40s', picked: 'asked' }); // still priced on the host asked for
  });

  it('may start without a pre-flight when the provider has none', () => {
    const facts = reviewFacts('gpu', request, report(), CATALOGUE, policy, { hosts: HOSTS });
    expect(facts.canStart).toBe(true);
    expect(facts.gpu?.host?.picked).toBe('cheapest');
    expect(facts.gpu?.preflight).toBeUndefined();
  });

  it('refuses a file not in the chat format, and warns about truncation and memory', () => {
    const dpo = reviewFacts('gpu', request, report({ format: 'dpo' }), CATALOGUE, policy, { hosts: HOSTS });
    expect(dpo.canStart).toBe(false);
    expect(dpo.gpu?.blockers[0]).toMatch(/reads chat examples/);
    const big = reviewFacts(
      'gpu',
      { ...request, model: 'meta-llama/Llama-3.1-70B-Instruct', lora: { ...LORA_DEFAULTS, maxLength: 512 } },
      report(),
      CATALOGUE,
      policy,
      { hosts: HOSTS, preflight: okPreflight },
    );
    expect(big.canStart).toBe(true);
    expect(big.gpu?.warnings).toEqual([
      expect.stringMatching(
        /^Training a 70B model with LoRA needs about 160 GB of GPU memory; one NVIDIA H100 80GB SXM has 80 GB\. QLoRA/,
      ),
      'The longest example has 900 tokens, more than the max length (512): longer examples are truncated.',
    ]);
  });

  it('needs approval over the limit, and when there is no estimate', () => {
    const over = reviewFacts(
      'gpu',
      request,
      report(),
      CATALOGUE,
      { approvers: ['U0A'], maxJobUsd: 0.5 },
      { hosts: HOSTS, preflight: okPreflight },
    );
    expect(over.needsApproval).toBe(true);
    const unknown = reviewFacts(
      'gpu',
      { ...request, model: '/models/mine' },
      report(),
      CATALOGUE,
      { approvers: ['U0A'], maxJobUsd: 50 },
      { hosts: HOSTS },
    );
    expect(unknown).toMatchObject({ estimateUsd: null, needsApproval: true });
    expect(unknown.assumptions).toMatch(/could not tell how large/);
  });

  it('leaves the hosted review as it was', () => {
    const hosted = { ...request, lora: undefined, model: 'gpt-4.1-mini-2025-04-14' };
    const facts = reviewFacts('openai', hosted, report(), CATALOGUE, policy);
    expect(facts.gpu).toBeUndefined();
    expect(facts.estimateUsd).toBe(75); // 15M billable tokens at $5/1M
  });
});
