import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NewJob, openStore, type Store } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { migrate } from '../../src/store/sqlite.ts';

const job = (over: Partial<NewJob> = {}): NewJob => ({
  teamId: 'T1',
  channelId: 'C1',
  requestedBy: 'U1',
  provider: 'openai',
  request: {
    model: 'gpt-4.1-mini-2025-04-14',
    method: 'supervised',
    trainingFileId: 'file-abc',
    trainingFileName: 'train.jsonl',
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
  },
  phase: 'starting',
  estimateUsd: 12.5,
  ...over,
});

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftbot-jobs-'));
  store = openStore({ kind: 'sqlite', path: join(dir, 'bot.db') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('jobs in the SQLite store', () => {
  it('creates a job with a short typeable id and keeps it across a restart', async () => {
    const created = await store.createJob(job());
    expect(created.id).toMatch(/^ft-[a-hj-km-np-z2-9]{6}$/);
    expect(created).toMatchObject({ phase: 'starting', providerJobId: null, progress: {}, estimateUsd: 12.5 });
    await store.updateJob(created.id, {
      phase: 'running',
      providerJobId: 'ftjob-1',
      progress: { step: 10, totalSteps: 100, trainLoss: 1.25 },
      eventCursor: 'ftevent-9',
    });
    await store.close();
    store = openStore({ kind: 'sqlite', path: join(dir, 'bot.db') });
    const again = await store.getJob(created.id);
    expect(again).toMatchObject({
      phase: 'running',
      providerJobId: 'ftjob-1',
      eventCursor: 'ftevent-9',
      progress: { step: 10, totalSteps: 100, trainLoss: 1.25 },
      request: { trainingFileName: 'train.jsonl' },
    });
  });

  it('applies a conditional update only while the job is in the phases named', async () => {
    const { id } = await store.createJob(job());
    await store.updateJob(id, { phase: 'cancelled', finishedAt: '2026-11-24T10:00:00.000Z' });
    const late = await store.updateJob(id, { phase: 'running' }, ['starting', 'queued', 'running']);
    expect(late).toBeUndefined();
    expect((await store.getJob(id))?.phase).toBe('cancelled');
  });

  it('lists active jobs oldest first and a channel’s jobs newest first', async () => {
    const a = await store.createJob(job());
    const b = await store.createJob(job({ channelId: 'C2' }));
    const c = await store.createJob(job({ phase: 'awaiting_approval' }));
    await store.updateJob(b.id, { phase: 'succeeded' });
    expect((await store.listActiveJobs()).map((j) => j.id)).toEqual([a.id]);
    expect((await store.listJobs({ teamId: 'T1', channelId: 'C1', limit: 10 })).map((j) => j.id)).toEqual([c.id, a.id]);
    expect(await store.listJobs({ teamId: 'T2', limit: 10 })).toEqual([]);
  });

  it('lets a notice be claimed once, and again only after it is released', async () => {
    const { id } = await store.createJob(job());
    const long = '2000-01-01T00:00:00.000Z';
    expect(await store.claimNotice(id, 'status:running', 'me', long)).toBe('new');
    expect(await store.claimNotice(id, 'status:running', 'other', long)).toBe('held');
    await store.releaseNotice(id, 'status:running', 'other'); // not theirs to give back
    expect(await store.claimNotice(id, 'status:running', 'other', long)).toBe('held');
    await store.releaseNotice(id, 'status:running', 'me');
    expect(await store.claimNotice(id, 'status:running', 'other', long)).toBe('new');
  });

  it('says a confirmed notice is sent, to everyone, with the ts it went out as', async () => {
    const { id } = await store.createJob(job());
    expect(await store.claimNotice(id, 'finished', 'me', '2000-01-01T00:00:00.000Z')).toBe('new');
    await store.confirmNotice(id, 'finished', '1700000000.000200');
    await store.releaseNotice(id, 'finished', 'me'); // a confirmed notice is never given back
    expect(await store.claimNotice(id, 'finished', 'other', '2999-01-01T00:00:00.000Z')).toBe('sent');
    expect((await store.notice(id, 'finished'))?.ts).toBe('1700000000.000200');
  });

  it('hands a claim left unconfirmed past its lease to one other owner: the one to look it up', async () => {
    let clock = Date.parse('2026-11-23T12:00:00.000Z');
    const timed = openStore({ kind: 'sqlite', path: join(dir, 'timed.db') }, { now: () => new Date(clock) });
    try {
      const { id } = await timed.createJob(job());
      const leaseAgo = () => new Date(clock - 60_000).toISOString();
      await timed.claimNotice(id, 'message', 'dead', leaseAgo());
      clock += 30_000;
      // Within the lease the dead owner might still be posting: left alone.
      expect(await timed.claimNotice(id, 'message', 'a', leaseAgo())).toBe('held');
      clock += 31_000;
      expect(await timed.claimNotice(id, 'message', 'a', leaseAgo())).toBe('orphaned');
      // Taken over now: b must wait for a's lease in turn.
      expect(await timed.claimNotice(id, 'message', 'b', leaseAgo())).toBe('held');
      expect((await timed.notice(id, 'message'))?.owner).toBe('a');
    } finally {
      await timed.close();
    }
  });

  it('creates one job per request key, however often the same request comes', async () => {
    const first = await store.createJobOnce(job(), 'review:V1');
    const again = await store.createJobOnce(job({ channelId: 'C9' }), 'review:V1');
    const other = await store.createJobOnce(job(), 'review:V2');
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
    expect(other.created).toBe(true);
    expect(await store.listJobs({ teamId: 'T1', limit: 10 })).toHaveLength(2);
  });

  it('sees a Slack request id once', async () => {
    expect(await store.claimRequest('try:V1')).toBe(true);
    expect(await store.claimRequest('try:V1')).toBe(false);
    expect(await store.claimRequest('try:V2')).toBe(true);
  });

  it('merges loss points by step, keeping earlier values a later event leaves out', async () => {
    const { id } = await store.createJob(job());
    await store.addLossPoints(id, [
      { step: 2, trainLoss: 1.5 },
      { step: 1, trainLoss: 2 },
    ]);
    await store.addLossPoints(id, [{ step: 2, validLoss: 1.7 }]);
    expect(await store.lossPoints(id)).toEqual([
      { step: 1, trainLoss: 2 },
      { step: 2, trainLoss: 1.5, validLoss: 1.7 },
    ]);
  });

  it('sums spend by provider: actual cost when known, the estimate while running, nothing for rejected jobs', async () => {
    const a = await store.createJob(job());
    await store.updateJob(a.id, { phase: 'succeeded', actualUsd: 10 });
    await store.createJob(job({ estimateUsd: 4 }));
    const r = await store.createJob(job({ provider: 'azure', phase: 'awaiting_approval', estimateUsd: 900 }));
    await store.updateJob(r.id, { phase: 'rejected' });
    const f = await store.createJob(job({ provider: 'azure', estimateUsd: 3 }));
    await store.updateJob(f.id, { phase: 'failed', actualUsd: 0 });
    const rows = await store.spendByProvider({ teamId: 'T1', from: '2000-01-01', to: '2999-01-01' });
    expect(rows).toEqual([
      { provider: 'azure', jobs: 2, succeeded: 0, failed: 1, usd: 0 },
      { provider: 'openai', jobs: 2, succeeded: 1, failed: 0, usd: 14 },
    ]);
  });

  it('upgrades a database from the first schema without losing its advice sessions', async () => {
    const path = join(dir, 'old.db');
    const db = new DatabaseSync(path);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare(
      `INSERT INTO advice_sessions (id, team_id, user_id, channel_id, created_at, answers, recommendation, verdict)
       VALUES ('s1', 'T1', 'U1', 'C1', '2026-11-01T00:00:00Z', '{}', '{}', 'fine-tune')`,
    ).run();
    db.close();
    const upgraded = openStore({ kind: 'sqlite', path });
    expect((await upgraded.getAdviceSession('s1'))?.teamId).toBe('T1');
    expect((await upgraded.createJob(job())).phase).toBe('starting');
    await upgraded.close();
  });
});
