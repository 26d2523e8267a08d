import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decide, needsApproval } from '../../src/jobs/approval.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const policy = { maxJobUsd: 100, approvers: ['U0BOSS', 'U0LEAD'] };
const NOW = new Date('2026-11-24T12:00:00Z');
let store: Store;
beforeEach(() => {
  store = openStore({ kind: 'sqlite-memory' });
});
afterEach(() => store.close());

const waiting = () =>
  store.createJob({
    teamId: 'T1',
    channelId: 'C1',
    requestedBy: 'U0DEV',
    provider: 'azure',
    request: {
      model: 'gpt-4.1-2025-04-14',
      method: 'supervised',
      hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
    },
    phase: 'awaiting_approval',
    estimateUsd: 420,
  });

describe('approvals', () => {
  it('asks for approval above the limit, and when the estimate is unknown', () => {
    expect(needsApproval(policy, 99.99)).toBe(false);
    expect(needsApproval(policy, 100.01)).toBe(true);
    expect(needsApproval(policy, null)).toBe(true);
    expect(needsApproval({ approvers: [] }, 1e6)).toBe(false);
  });

  it('records an approval and moves the job on to starting', async () => {
    const job = await waiting();
    const decided = await decide(store, policy, job.id, 'U0LEAD', 'approved', NOW);
    expect(decided).toMatchObject({
      phase: 'starting',
      approval: { decision: 'approved', by: 'U0LEAD', at: NOW.toISOString() },
    });
  });

  it('lets the first decision stand when two approvers click', async () => {
    const job = await waiting();
    await decide(store, policy, job.id, 'U0BOSS', 'rejected', NOW);
    await expect(decide(store, policy, job.id, 'U0LEAD', 'approved', NOW)).rejects.toThrow(
      'This job was already decided by <@U0BOSS>.',
    );
    expect(await store.getJob(job.id)).toMatchObject({ phase: 'rejected', approval: { by: 'U0BOSS' } });
  });

  it('refuses someone who is not an approver, or from another workspace, and changes nothing', async () => {
    const job = await waiting();
    await expect(decide(store, policy, job.id, 'U0BOSS', 'approved', NOW, 'T9OTHER')).rejects.toThrow(
      `There is no job ${job.id}.`,
    );
    await expect(decide(store, policy, job.id, 'U0DEV', 'approved', NOW)).rejects.toThrow(
      'Only the approvers named in APPROVER_USER_IDS can decide on this job.',
    );
    expect(await store.getJob(job.id)).toMatchObject({ phase: 'awaiting_approval', approval: null });
  });
});
