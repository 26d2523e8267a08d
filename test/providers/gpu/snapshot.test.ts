import { describe, expect, it } from 'vitest';
import type { GpuHost } from '../../../src/config/gpu.ts';
import type { FolderRow, JobEvents } from '../../../src/providers/gpu/host-scan.ts';
import { queueOf, runningOf, toSnapshot } from '../../../src/providers/gpu/snapshot.ts';
import { readEvents } from '../../../src/providers/gpu/trainer-events.ts';

const host = { name: 'a100-1', gpuType: 'A100-80GB', gpuCount: 1, maxJobs: 1 } as GpuHost;
const NOW = new Date('2026-11-02T12:00:00Z');
const row = (over: Partial<FolderRow> = {}): FolderRow => ({
  id: 'ft-abc234',
  launched: true,
  exitCode: null,
  pgid: 4242,
  gpu: null,
  alive: true,
  queuedAt: '2026-11-02T10:00:00.000Z',
  cancelled: false,
  ...over,
});
const at = (s: number) => new Date(Date.parse('2026-11-02T10:00:00.000Z') + s * 1000).toISOString();
const events = (list: Array<Record<string, unknown>>): JobEvents => ({
  head: [],
  tail: readEvents(Buffer.from(list.map((e, i) => `${JSON.stringify({ seq: i + 1, ...e })}\n`).join('')), 0).events,
  size: 1,
});
const tokenizing = { type: 'preparing', time: at(0), phase: 'tokenizing' };
const started = {
  type: 'started',
  time: at(10),
  total_steps: 100,
  train_tokens: 50_000,
  gpu_count: 1,
  base_model: 'm/x',
};
const step = (n: number, s: number) => ({ type: 'step', time: at(s), step: n, total_steps: 100, tokens_seen: n * 500 });

describe('toSnapshot(): a job from its folder', () => {
  it('a job waiting in the queue shows its place; one cancelled there is cancelled', () => {
    expect(toSnapshot({ host, row: row({ launched: false, alive: null }), position: 2, now: NOW })).toMatchObject({
      ref: { provider: 'gpu', id: 'gpu:a100-1:ft-abc234' },
      state: 'queued',
      providerStatus: 'queued:2',
      createdAt: '2026-11-02T10:00:00.000Z',
    });
    expect(toSnapshot({ host, row: row({ launched: false, cancelled: true }), now: NOW }).state).toBe('cancelled');
  });

  it('launching, preparing, then training with an ETA from its pace and GPU-seconds so far', () => {
    expect(toSnapshot({ host, row: row(), now: NOW })).toMatchObject({
      state: 'validating',
      providerStatus: 'launching',
    });
    const prep = toSnapshot({ host, row: row(), files: events([tokenizing]), now: NOW });
    expect(prep).toMatchObject({ state: 'validating', providerStatus: 'preparing' });
    const s = toSnapshot({ host, row: row(), files: events([tokenizing, started, step(10, 30)]), now: NOW });
    expect(s).toMatchObject({
      state: 'running',
      providerStatus: 'training',
      model: 'm/x',
      trainedTokens: 5000,
      // 10 steps in 20 s: 90 more take 180 s.
      estimatedFinish: at(210),
      gpu: { host: 'a100-1', gpuType: 'A100-80GB', gpuCount: 1, gpuSeconds: 30 },
      finishedAt: null,
    });
  });

  it('success carries the adapter, the tokens and the trainer’s own GPU-seconds', () => {
    const finished = {
      type: 'finished',
      time: at(400),
      adapter_path: '/w/ft-abc234/output/adapter',
      adapter_bytes: 1234,
      gpu_seconds: 395.5,
      metrics: { tokens_seen: 49_000 },
    };
    const s = toSnapshot({
      host,
      row: row({ exitCode: 0, alive: null }),
      files: events([tokenizing, started, finished]),
      now: NOW,
    });
    expect(s).toMatchObject({
      state: 'succeeded',
      providerStatus: 'finished',
      fineTunedModel: '/w/ft-abc234/output/adapter',
      adapter: { path: '/w/ft-abc234/output/adapter', bytes: 1234 },
      trainedTokens: 49_000,
      finishedAt: at(400),
      gpu: { gpuSeconds: 395.5 },
    });
  });

  it('a process gone without exit_code is killed; an error event keeps its reason', () => {
    const killed = toSnapshot({
      host,
      row: row({ alive: false }),
      files: events([tokenizing, started, step(3, 20)]),
      now: NOW,
    });
    expect(killed).toMatchObject({ state: 'failed', providerStatus: 'killed', error: { code: 'killed' } });
    const error = {
      type: 'error',
      time: at(50),
      reason: 'nan_loss',
      message: 'NaN',
      hint: 'Lower the LR.',
      gpu_seconds: 50,
    };
    const failed = toSnapshot({ host, row: row({ exitCode: 1 }), files: events([tokenizing, error]), now: NOW });
    expect(failed).toMatchObject({
      state: 'failed',
      providerStatus: 'failed:nan_loss',
      error: { code: 'nan_loss', hint: 'Lower the LR.' },
    });
  });

  it('counts slots and orders the queue by when jobs were queued', () => {
    const rows = [
      row({ id: 'ft-aaaaa2', launched: false, alive: null, queuedAt: '2026-11-02T10:00:05.000Z' }),
      row({ id: 'ft-aaaaa3', launched: false, alive: null, queuedAt: '2026-11-02T10:00:01.000Z' }),
      row({ id: 'ft-aaaaa4', launched: false, alive: null, queuedAt: '2026-11-02T10:00:00.000Z', cancelled: true }),
      row({ id: 'ft-aaaaa5' }),
      row({ id: 'ft-aaaaa6', exitCode: 0 }),
      row({ id: 'ft-aaaaa7', alive: false }),
    ];
    expect(queueOf(rows).map((r) => r.id)).toEqual(['ft-aaaaa3', 'ft-aaaaa2']);
    expect(runningOf(rows).map((r) => r.id)).toEqual(['ft-aaaaa5']);
  });
});
