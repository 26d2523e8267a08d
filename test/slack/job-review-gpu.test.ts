import { describe, expect, it } from 'vitest';
import { type JobReviewInput, jobReviewView, jobReviewWorkingView } from '../../src/slack/job-review-view.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import { checkView } from '../support/slack-limits.ts';
import { textOf } from './job-fixture.ts';

const GiB = 1024 ** 3;
const preflight = {
  ok: true,
  host: 'h100-1',
  gpuName: 'NVIDIA H100 80GB HBM3',
  gpuMemoryBytes: 80 * GiB,
  freeGpuMemoryBytes: 79.5 * GiB,
  freeDiskBytes: 400 * GiB,
  neededDiskBytes: 18.5 * GiB,
  packages: [
    { name: 'torch', version: '2.5.1', ok: true },
    { name: 'peft', version: '0.17.1', ok: true },
  ],
  problems: [],
};

const input = (
  facts: Partial<JobReviewInput['facts']> = {},
  request: Partial<JobReviewInput['request']> = {},
): JobReviewInput => ({
  request: {
    provider: 'gpu',
    channelId: 'C0CHAN',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    method: 'supervised',
    trainingFileName: 'tickets.jsonl',
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
    lora: { ...LORA_DEFAULTS, method: 'qlora' },
    ...request,
  },
  providerLabel: 'Your GPUs (LoRA)',
  facts: {
    validation: { examples: 1200, billableTokens: 3_600_000, epochs: 3, epochsAuto: false, warnings: 0, errors: 0 },
    estimateUsd: 1.35,
    assumptions: 'FLOPs rule: 4 × 8B parameters …',
    needsApproval: false,
    approvers: [],
    canStart: true,
    gpu: {
      host: {
        name: 'h100-1',
        gpuType: 'H100-80GB',
        gpuCount: 1,
        gpuName: 'NVIDIA H100 80GB SXM',
        hourlyUsd: 3,
        picked: 'preflight',
      },
      wallHours: 0.45,
      gpuHours: 0.45,
      warnings: [],
      blockers: [],
      preflight,
    },
    ...facts,
  },
  metadata: '{"v":1}',
});

describe('the review of a LoRA job on GPU hosts', () => {
  it('shows the LoRA settings, the estimate with its host, and a passing pre-flight; offers Start', () => {
    const view = jobReviewView(input());
    expect(checkView(view)).toEqual([]);
    expect(view.submit?.text).toBe('Start job');
    const text = textOf(view.blocks);
    expect(text).toContain('*`meta-llama/Llama-3.1-8B-Instruct`* on *Your GPUs (LoRA)* · host auto');
    expect(text).toContain(
      'QLoRA · r 16 · alpha 32 · dropout 0.05 · all linear layers · 3 epochs · LR 0.0002 · batch 4 × 4 · max length 2,048 · packing off',
    );
    expect(text).toContain('1,200 examples · 3,600,000 tokens to train (3 epochs)');
    expect(text).toContain(
      '*Estimated cost: $1.35*\n≈ 27 min on `h100-1` (auto): 1× NVIDIA H100 80GB SXM at $3.00 per GPU-hour · 0.5 GPU-hours',
    );
    expect(text).toContain(':white_check_mark: *Pre-flight on `h100-1`: ready.*');
    expect(text).toContain('*GPU*\nNVIDIA H100 80GB HBM3');
    expect(text).toContain('*GPU memory free*\n79.5 GiB of 80.0 GiB');
    expect(text).toContain('*Disk free*\n400 GiB · 18.5 GiB needed');
    expect(text).toContain('*Packages*\n✓ torch 2.5.1\n✓ peft 0.17.1');
  });

  it('offers no Start when the pre-flight fails, and lists each problem with its hint', () => {
    const failed = {
      ...preflight,
      ok: false,
      freeDiskBytes: 10 * GiB,
      packages: [{ name: 'bitsandbytes', version: null, ok: false }],
      problems: [
        {
          reason: 'disk_full',
          message: 'Only 10 GiB free on /home; the model and checkpoints need 18.5 GiB.',
          hint: 'Free some space or set the host’s work_dir on a larger disk.',
        },
        {
          reason: 'missing_package',
          message: 'bitsandbytes is not installed (QLoRA needs it).',
          hint: 'pip install -r trainer/requirements.txt on the host.',
        },
      ],
    };
    const gpu = input().facts.gpu;
    const view = jobReviewView(input({ canStart: false, gpu: gpu && { ...gpu, preflight: failed } }));
    expect(checkView(view)).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(view.close?.text).toBe('Close');
    const text = textOf(view.blocks);
    expect(text).toContain(':x: *Pre-flight on `h100-1` failed*, so nothing will start there:');
    expect(text).toContain(
      '• Only 10 GiB free on /home; the model and checkpoints need 18.5 GiB.\n      :bulb: Free some space',
    );
    expect(text).toContain(
      '• bitsandbytes is not installed (QLoRA needs it).\n      :bulb: pip install -r trainer/requirements.txt on the host.',
    );
    expect(text).toContain('*Disk free*\n10.0 GiB · 18.5 GiB needed :x:');
    expect(text).toContain('✗ bitsandbytes missing');
  });

  it('offers no Start even if canStart were wrongly set, when the pre-flight failed', () => {
    const gpu = input().facts.gpu;
    const view = jobReviewView(
      input({
        canStart: true,
        gpu: gpu && {
          ...gpu,
          preflight: { ok: false, host: '', problems: [{ reason: 'unreachable', message: 'No host answered.' }] },
        },
      }),
    );
    expect(view.submit).toBeUndefined();
    expect(textOf(view.blocks)).toContain(':x: *Pre-flight failed*, so nothing will start there:\n• No host answered.');
  });

  it('says what stands in the way and what to watch, and shows no estimate line without a host', () => {
    const view = jobReviewView(
      input({
        estimateUsd: null,
        assumptions: 'I could not tell how large /models/mine is from its name.',
        canStart: false,
        gpu: {
          warnings: ['The longest example has 9,000 tokens.'],
          blockers: ['The trainer reads chat examples only.'],
        },
      }),
    );
    expect(view.submit).toBeUndefined();
    const text = textOf(view.blocks);
    expect(text).toContain(
      ':x: The trainer reads chat examples only.\n:warning: The longest example has 9,000 tokens.',
    );
    expect(text).toContain('*Estimated cost: no estimate*\n');
    expect(text).not.toContain('per GPU-hour');
  });

  it('says when the job will wait for a slot on the host', () => {
    const gpu = input().facts.gpu;
    const busy = { ...preflight, load: { running: 2, queued: 1, maxJobs: 2 } };
    const text = textOf(jobReviewView(input({ gpu: gpu && { ...gpu, preflight: busy } })).blocks);
    expect(text).toContain(
      '*Jobs on the host*\n2 of 2 slots busy · 1 waiting\nThis job will wait its turn (2nd in the queue).',
    );
    const free = { ...preflight, load: { running: 0, queued: 0, maxJobs: 1 } };
    expect(textOf(jobReviewView(input({ gpu: gpu && { ...gpu, preflight: free } })).blocks)).toContain(
      '*Jobs on the host*\n0 of 1 slot busy · 0 waiting',
    );
  });

  it('names a host asked for, and says the pre-flight runs while the file is read', () => {
    const view = jobReviewWorkingView(input({}, { host: 'a100-x2' }));
    expect(checkView(view)).toEqual([]);
    const text = textOf(view.blocks);
    expect(text).toContain('· host `a100-x2`');
    expect(text).toContain('The host runs its pre-flight meanwhile');
  });

  it('stays within Slack’s limits with many long problems', () => {
    const problems = Array.from({ length: 40 }, (_, i) => ({
      reason: 'unknown',
      message: `Problem ${i} ${'x'.repeat(200)}`,
      hint: 'y'.repeat(200),
    }));
    const gpu = input().facts.gpu;
    const view = jobReviewView(
      input({ canStart: false, gpu: gpu && { ...gpu, preflight: { ...preflight, ok: false, problems } } }),
    );
    expect(checkView(view)).toEqual([]);
  });
});
