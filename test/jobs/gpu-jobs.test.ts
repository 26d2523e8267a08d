import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { cancelledPatch } from '../../src/jobs/cancel-outcome.ts';
import { gpuUsd } from '../../src/jobs/job-cost.ts';
import { jobUpdate } from '../../src/jobs/job-update.ts';
import type { JobSnapshot } from '../../src/providers/types.ts';
import type { JobRecord } from '../../src/store/types.ts';

const NOW = new Date('2026-11-24T12:00:00Z');
const job = (over: Partial<JobRecord> = {}): JobRecord =>
  ({
    id: 'ft-abc234',
    provider: 'gpu',
    phase: 'running',
    providerStatus: 'training',
    progress: {},
    eventCursor: '100',
    lastEventAt: null,
    startedAt: '2026-11-24T11:00:00.000Z',
    request: { model: 'm/x', method: 'supervised', hyperparameters: {} },
    ...over,
  }) as JobRecord;
const gpu = { host: 'a100-1', gpuType: 'A100-80GB', gpuCount: 1, gpuSeconds: 7200 };
const snap = (over: Partial<JobSnapshot> = {}): JobSnapshot => ({
  ref: { provider: 'gpu', id: 'gpu:a100-1:ft-abc234' },
  state: 'running',
  providerStatus: 'training',
  model: 'm/x',
  fineTunedModel: null,
  createdAt: '2026-11-24T11:00:00.000Z',
  finishedAt: null,
  estimatedFinish: null,
  trainedTokens: 5000,
  error: null,
  gpu,
  ...over,
});

describe('GPU jobs in the job record', () => {
  it('progress carries the host, GPU-seconds, throughput and GPU memory', () => {
    const u = jobUpdate(
      job(),
      snap(),
      {
        events: [
          {
            id: 'seq-5',
            at: '2026-11-24T11:59:00.000Z',
            level: 'info',
            message: 'Step 3',
            metrics: { step: 3, tokensPerSecond: 900, gpuMemoryBytes: 5e9 },
          },
          {
            id: 'seq-6',
            at: '2026-11-24T11:59:30.000Z',
            level: 'info',
            message: 'Step 4',
            metrics: { step: 4, tokensPerSecond: 1000, gpuMemoryBytes: 6e9 },
          },
        ],
        cursor: '900',
      },
      NOW,
    );
    expect(u.patch.progress).toMatchObject({
      step: 4,
      tokensPerSecond: 1000,
      gpuMemoryBytes: 6e9,
      host: 'a100-1',
      gpuSeconds: 7200,
      trainedTokens: 5000,
    });
    expect(u.patch.eventCursor).toBe('900');
    expect(u.visible).toBe(true);
  });

  it('costs GPU-seconds at the catalogue’s hourly rate for the host’s GPU', () => {
    const rate = CATALOGUE.gpus['A100-80GB']?.hourly_usd as number;
    expect(gpuUsd(gpu, CATALOGUE)).toBe(Math.round(2 * rate * 100) / 100);
    expect(gpuUsd({ ...gpu, gpuSeconds: null }, CATALOGUE)).toBeUndefined();
    expect(gpuUsd({ ...gpu, gpuType: 'TPU-v9' }, CATALOGUE)).toBeUndefined();
    expect(gpuUsd(undefined, CATALOGUE)).toBeUndefined();
  });

  it('a cancel records what was kept and what the GPU time cost; the words stay the message’s', () => {
    const patch = cancelledPatch(
      job(),
      'U1',
      NOW.toISOString(),
      { adapter: { path: '/w/a', bytes: 10 }, gpu },
      CATALOGUE,
    );
    expect(patch).toMatchObject({
      phase: 'cancelled',
      fineTunedModel: '/w/a',
      error: { code: 'cancelled', message: 'Cancelled by <@U1>.' },
      progress: { host: 'a100-1', gpuSeconds: 7200 },
      actualUsd: gpuUsd(gpu, CATALOGUE),
    });
    // Hosted providers as before: nothing billed before training, unknown while running.
    expect(
      cancelledPatch(job({ provider: 'openai', phase: 'queued' }), 'U1', 'x', undefined, CATALOGUE).actualUsd,
    ).toBe(0);
    expect('actualUsd' in cancelledPatch(job({ provider: 'openai' }), 'U1', 'x', undefined, CATALOGUE)).toBe(false);
  });
});
