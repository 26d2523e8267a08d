import { describe, expect, it } from 'vitest';
import { EventBackoff } from '../../src/jobs/event-backoff.ts';
import { jobUpdate } from '../../src/jobs/job-update.ts';
import type { JobSnapshot } from '../../src/providers/types.ts';
import type { JobRecord } from '../../src/store/types.ts';

const NOW = new Date('2026-11-24T12:00:00Z');

const job = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'ft-abc234',
  teamId: 'T1',
  channelId: 'C1',
  requestedBy: 'U1',
  provider: 'openai',
  request: {
    model: 'gpt-4.1-mini-2025-04-14',
    method: 'supervised',
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
  },
  phase: 'queued',
  estimateUsd: 10,
  providerJobId: 'ftjob-1',
  providerStatus: 'queued',
  fineTunedModel: null,
  messageTs: '1.2',
  eventCursor: null,
  progress: {},
  actualUsd: null,
  error: null,
  approval: null,
  createdAt: '2026-11-24T11:00:00.000Z',
  updatedAt: '2026-11-24T11:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  lastEventAt: null,
  lastEditAt: null,
  ...over,
});

const snap = (over: Partial<JobSnapshot> = {}): JobSnapshot => ({
  ref: { provider: 'openai', id: 'ftjob-1' },
  state: 'running',
  providerStatus: 'running',
  model: 'gpt-4.1-mini-2025-04-14',
  fineTunedModel: null,
  createdAt: '2026-11-24T11:00:00.000Z',
  finishedAt: null,
  estimatedFinish: '2026-11-24T12:30:00.000Z',
  trainedTokens: null,
  error: null,
  ...over,
});

describe('jobUpdate()', () => {
  it('takes progress from the newest metrics, keeps the last validation loss, and collects loss points', () => {
    const u = jobUpdate(
      job({ progress: { step: 3, totalSteps: 90, trainLoss: 2, validLoss: 2.2 } }),
      snap(),
      {
        events: [
          {
            id: 'e4',
            at: '2026-11-24T11:58:00Z',
            level: 'info',
            message: 'Step 4/90',
            metrics: { step: 4, totalSteps: 90, trainLoss: 1.8, validLoss: 1.9 },
          },
          {
            id: 'e5',
            at: '2026-11-24T11:59:00Z',
            level: 'info',
            message: 'Step 5/90',
            metrics: { step: 5, totalSteps: 90, trainLoss: 1.7 },
          },
        ],
        cursor: 'e5',
      },
      NOW,
    );
    expect(u.patch).toMatchObject({
      phase: 'running',
      startedAt: NOW.toISOString(),
      eventCursor: 'e5',
      lastEventAt: '2026-11-24T11:59:00Z',
      progress: {
        step: 5,
        totalSteps: 90,
        trainLoss: 1.7,
        validLoss: 1.9,
        estimatedFinish: '2026-11-24T12:30:00.000Z',
      },
    });
    expect(u.lossPoints).toEqual([
      { step: 4, trainLoss: 1.8, validLoss: 1.9 },
      { step: 5, trainLoss: 1.7 },
    ]);
    expect(u.visible).toBe(true);
  });

  it('passes warnings and errors on, and notices a checkpoint', () => {
    const u = jobUpdate(
      job({ phase: 'running', providerStatus: 'running', startedAt: '2026-11-24T11:10:00Z' }),
      snap(),
      {
        events: [
          { id: 'e1', at: '2026-11-24T11:50:00Z', level: 'warning', message: 'Some examples were truncated' },
          { id: 'e2', at: '2026-11-24T11:51:00Z', level: 'info', message: 'Checkpoint created at step 30' },
        ],
        cursor: 'e2',
      },
      NOW,
    );
    expect(u.notable.map((e) => e.id)).toEqual(['e1']);
    expect(u.checkpointMentioned).toBe(true);
    expect(u.patch.startedAt).toBeUndefined();
  });

  it('leaves a terminal state for the monitor to record after the channel is told', () => {
    const u = jobUpdate(
      job({ phase: 'running', providerStatus: 'running' }),
      snap({ state: 'succeeded', providerStatus: 'succeeded', trainedTokens: 12345 }),
      undefined,
      NOW,
    );
    expect(u.patch.phase).toBeUndefined();
    expect(u.patch.progress?.trainedTokens).toBe(12345);
    expect(u.patch.eventCursor).toBeUndefined();
  });

  it('says nothing visible changed when the provider has no news', () => {
    const same = job({
      phase: 'running',
      providerStatus: 'running',
      progress: { estimatedFinish: '2026-11-24T12:30:00.000Z' },
    });
    expect(jobUpdate(same, snap(), { events: [], cursor: null }, NOW).visible).toBe(false);
  });
});

describe('EventBackoff', () => {
  it('reads a quiet job less and less often, and a busy one every tick', () => {
    const b = new EventBackoff(4);
    const reads: number[] = [];
    for (let tick = 1; tick <= 16; tick++) {
      b.nextTick();
      if (b.due('j')) {
        reads.push(tick);
        b.read('j', tick >= 14);
      }
    }
    expect(reads).toEqual([1, 2, 4, 8, 12, 16]);
    b.read('j', true);
    b.nextTick();
    expect(b.due('j')).toBe(true);
  });
});

describe('progress a provider reports on the job itself (Fireworks, Together)', () => {
  it('fills the percent and epoch, and counts as news so a moving job is not called stalled', () => {
    const before = job({
      phase: 'running',
      provider: 'fireworks',
      progress: { percent: 10, epoch: 1 },
      lastEventAt: '2026-11-24T11:00:00.000Z',
    });
    const moved = jobUpdate(before, snap({ progress: { percent: 55, epoch: 2 } }), undefined, NOW);
    expect(moved.patch.progress).toMatchObject({ percent: 55, epoch: 2 });
    expect(moved.patch.lastEventAt).toBe(NOW.toISOString());

    const still = jobUpdate(before, snap({ progress: { percent: 10, epoch: 1 } }), undefined, NOW);
    expect(still.patch.lastEventAt).toBeUndefined();
  });

  it('takes steps from the job when no metric event said more', () => {
    const u = jobUpdate(
      job({ progress: { step: 4 } }),
      snap({ progress: { step: 12, totalSteps: 40 } }),
      undefined,
      NOW,
    );
    expect(u.patch.progress).toMatchObject({ step: 12, totalSteps: 40 });
  });
});
