import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobLeases } from '../../src/jobs/job-leases.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { JobRecord } from '../../src/store/types.ts';

/** Two replicas sharing the monitor's work through one store's leases. */

let clock = new Date('2026-12-01T12:00:00Z');
let store: Store;
const logger = createLogger('silent');
const jobs = ['ft-aaaaaa', 'ft-bbbbbb'].map((id) => ({ id }) as JobRecord);
const ids = (list: JobRecord[]) => list.map((j) => j.id).sort();

beforeEach(() => {
  clock = new Date('2026-12-01T12:00:00Z');
  store = openStore({ kind: 'sqlite-memory' }, { now: () => clock });
});
afterEach(() => store.close());

describe('job leases across replicas', () => {
  it('gives each job to one replica, and a dead replica’s jobs to another once its leases expire', async () => {
    const takeovers: string[] = [];
    const a = createJobLeases(store, logger, { owner: 'replica-a', ttlMs: 60_000 });
    const b = createJobLeases(store, logger, {
      owner: 'replica-b',
      ttlMs: 60_000,
      onTakeover: (id) => takeovers.push(id),
    });
    expect(ids(await a.filter(jobs))).toEqual(ids(jobs));
    expect(await b.filter(jobs)).toEqual([]);

    // A renews on its ticks; B keeps finding the jobs taken.
    clock = new Date(clock.getTime() + 30_000);
    expect(ids(await a.filter(jobs))).toEqual(ids(jobs));
    clock = new Date(clock.getTime() + 45_000);
    expect(await b.filter(jobs)).toEqual([]);

    // A dies (stops renewing): within a minute of its last renewal B has them.
    clock = new Date(clock.getTime() + 16_000);
    expect(ids(await b.filter(jobs))).toEqual(ids(jobs));
    expect(takeovers.sort()).toEqual(ids(jobs));
    // …and A, were it back, would find them taken.
    expect(await a.filter(jobs)).toEqual([]);
  });

  it('replicas asking at once each take a share, and no job goes to both', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ id: `ft-${String(i).padStart(6, '0')}` }) as JobRecord);
    const a = createJobLeases(store, logger, { owner: 'replica-a', ttlMs: 60_000 });
    const b = createJobLeases(store, logger, { owner: 'replica-b', ttlMs: 60_000 });
    const [mineA, mineB] = await Promise.all([a.filter(many), b.filter(many)]);
    expect(mineA.length).toBeGreaterThan(0);
    expect(mineB.length).toBeGreaterThan(0);
    expect([...ids(mineA), ...ids(mineB)].sort()).toEqual(ids(many));
  });

  it('a clean stop gives the leases back at once', async () => {
    const a = createJobLeases(store, logger, { owner: 'replica-a', ttlMs: 60_000 });
    const b = createJobLeases(store, logger, { owner: 'replica-b', ttlMs: 60_000 });
    await a.filter(jobs);
    await a.release();
    expect(ids(await b.filter(jobs))).toEqual(ids(jobs));
  });

  it('without leases, every job is this process’s', async () => {
    expect(ids(await createJobLeases(store, logger, undefined).filter(jobs))).toEqual(ids(jobs));
  });
});
