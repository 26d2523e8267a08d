import { expect, it } from 'vitest';
import { type ContractContext, job } from './contract-fixtures.ts';

/** Jobs, loss points and spend, on any backend; the races run between two stores on one database. */
export function jobContract(t: ContractContext): void {
  it('creates a job with a short typeable id and keeps it across a restart', async () => {
    let store = await t.open();
    const created = await store.createJob(job());
    expect(created.id).toMatch(/^ft-[a-hj-km-np-z2-9]{6}$/);
    expect(created).toMatchObject({ phase: 'starting', providerJobId: null, progress: {}, estimateUsd: 12.5 });
    await store.updateJob(created.id, {
      phase: 'running',
      providerJobId: 'ftjob-1',
      progress: { step: 10, totalSteps: 100, trainLoss: 1.25 },
      eventCursor: 'ftevent-9',
      error: null,
    });
    await store.close();
    store = await t.open();
    const again = await store.getJob(created.id);
    expect(again).toMatchObject({
      phase: 'running',
      providerJobId: 'ftjob-1',
      eventCursor: 'ftevent-9',
      progress: { step: 10, totalSteps: 100, trainLoss: 1.25 },
      request: { trainingFileName: 'train.jsonl' },
      error: null,
    });
    expect(await store.getJob('ft-nothere')).toBeUndefined();
  });

  it('applies a conditional update only while the job is in the phases named', async () => {
    const store = await t.open();
    const { id } = await store.createJob(job());
    await store.updateJob(id, { phase: 'cancelled', finishedAt: '2026-11-24T10:00:00.000Z' });
    const late = await store.updateJob(id, { phase: 'running' }, ['starting', 'queued', 'running']);
    expect(late).toBeUndefined();
    expect((await store.getJob(id))?.phase).toBe('cancelled');
    expect(await store.updateJob('ft-nothere', { phase: 'running' })).toBeUndefined();
  });

  it('lets exactly one of two racing guarded updates win, from two processes', async () => {
    const a = await t.open();
    const b = await t.open();
    for (let round = 0; round < 5; round++) {
      const { id } = await a.createJob(job({ phase: 'starting' }));
      await a.updateJob(id, { phase: 'running' });
      const [cancel, finish] = await Promise.all([
        a.updateJob(id, { phase: 'cancelled' }, ['running']),
        b.updateJob(id, { phase: 'succeeded' }, ['running']),
      ]);
      expect([cancel, finish].filter(Boolean)).toHaveLength(1);
      expect((await a.getJob(id))?.phase).toBe((cancel ?? finish)?.phase);
    }
  });

  it('lists active jobs oldest first, jobs by phase, and a channel’s jobs newest first', async () => {
    const store = await t.open();
    const a = await store.createJob(job());
    const b = await store.createJob(job({ channelId: 'C2' }));
    const c = await store.createJob(job({ phase: 'awaiting_approval' }));
    await store.updateJob(b.id, { phase: 'succeeded' });
    expect((await store.listActiveJobs()).map((j) => j.id)).toEqual([a.id]);
    expect((await store.listJobsInPhases(['awaiting_approval', 'succeeded'])).map((j) => j.id)).toEqual([b.id, c.id]);
    expect(await store.listJobsInPhases([])).toEqual([]);
    expect((await store.listJobs({ teamId: 'T1', channelId: 'C1', limit: 10 })).map((j) => j.id)).toEqual([c.id, a.id]);
    expect((await store.listJobs({ teamId: 'T1', limit: 2 })).map((j) => j.id)).toEqual([c.id, b.id]);
    expect(await store.listJobs({ teamId: 'T2', limit: 10 })).toEqual([]);
  });

  it('lists ended jobs whose finished notice is not confirmed', async () => {
    const store = await t.open();
    const done = await store.createJob(job());
    const told = await store.createJob(job());
    const old = await store.createJob(job());
    await store.createJob(job()); // still starting
    await store.updateJob(done.id, { phase: 'failed', finishedAt: '2026-11-24T10:00:00.000Z' });
    await store.updateJob(told.id, { phase: 'succeeded', finishedAt: '2026-11-24T09:00:00.000Z' });
    await store.updateJob(old.id, { phase: 'cancelled', finishedAt: '2026-11-01T00:00:00.000Z' });
    await store.confirmNotice(told.id, 'finished', '1.2');
    await store.claimNotice(done.id, 'finished', 'me', '2000-01-01T00:00:00.000Z'); // claimed, not confirmed
    expect((await store.listEndedUnannounced('2026-11-20T00:00:00.000Z')).map((j) => j.id)).toEqual([done.id]);
  });

  it('creates one job per request key, however often the same request comes', async () => {
    const store = await t.open();
    const first = await store.createJobOnce(job(), 'review:V1');
    const again = await store.createJobOnce(job({ channelId: 'C9' }), 'review:V1');
    const other = await store.createJobOnce(job(), 'review:V2');
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
    expect(other.created).toBe(true);
    expect(await store.listJobs({ teamId: 'T1', limit: 10 })).toHaveLength(2);
  });

  it('creates one job when two processes get the same request at once', async () => {
    const a = await t.open();
    const b = await t.open();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).createJobOnce(job(), 'review:twin')),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(await a.listJobs({ teamId: 'T1', limit: 10 })).toHaveLength(1);
  });

  it('merges loss points by step, keeping earlier values a later event leaves out', async () => {
    const store = await t.open();
    const { id } = await store.createJob(job());
    await store.addLossPoints(id, [
      { step: 2, trainLoss: 1.5 },
      { step: 1, trainLoss: 2 },
      { step: 2, validLoss: 1.75 },
    ]);
    await store.addLossPoints(id, [{ step: 2, validLoss: 1.7 }]);
    await store.addLossPoints(id, []);
    expect(await store.lossPoints(id)).toEqual([
      { step: 1, trainLoss: 2 },
      { step: 2, trainLoss: 1.5, validLoss: 1.7 },
    ]);
  });

  it('sums spend by provider: actual cost when known, the estimate while running, nothing for rejected jobs', async () => {
    const store = await t.open();
    const a = await store.createJob(job());
    await store.updateJob(a.id, { phase: 'succeeded', actualUsd: 10 });
    await store.createJob(job({ estimateUsd: 4 }));
    const r = await store.createJob(job({ provider: 'azure', phase: 'awaiting_approval', estimateUsd: 900 }));
    await store.updateJob(r.id, { phase: 'rejected' });
    const f = await store.createJob(job({ provider: 'azure', estimateUsd: 3 }));
    await store.updateJob(f.id, { phase: 'failed', actualUsd: 0 });
    await store.createJob(job({ teamId: 'T2', estimateUsd: 1.25 }));
    expect(await store.spendByProvider({ teamId: 'T1', from: '2000-01-01', to: '2999-01-01' })).toEqual([
      { provider: 'azure', jobs: 2, succeeded: 0, failed: 1, usd: 0 },
      { provider: 'openai', jobs: 2, succeeded: 1, failed: 0, usd: 14 },
    ]);
    expect(await store.spendByProvider({ from: '2000-01-01', to: '2999-01-01' })).toEqual([
      { provider: 'azure', jobs: 2, succeeded: 0, failed: 1, usd: 0 },
      { provider: 'openai', jobs: 3, succeeded: 1, failed: 0, usd: 15.25 },
    ]);
    expect(await store.spendByProvider({ teamId: 'T1', from: '2999-01-01', to: '3000-01-01' })).toEqual([]);
  });
}
