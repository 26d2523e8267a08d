import type { Logger } from '../logger.ts';
import type { JobRecord, Store } from '../store/types.ts';

export interface JobLeaseOptions {
  /** This replica, as the holder of the leases it takes. */
  owner: string;
  /** How long a lease lasts unless renewed; a dead replica's jobs are taken over once it passes. */
  ttlMs: number;
  /** Told when this replica takes a job another replica held (for /metrics). */
  onTakeover?: (jobId: string) => void;
}

/**
 * The monitor's share of the jobs when several replicas run: a job is watched by the replica that
 * holds its lease in the store (`job:<id>`), taken when free or expired and renewed on every tick.
 * Without options every job is this process's.
 */
export function createJobLeases(
  store: Pick<Store, 'tryLease' | 'releaseLease'>,
  logger: Logger,
  o: JobLeaseOptions | undefined,
) {
  const held = new Set<string>();
  // Jobs seen held by another replica: holding one of them later is a takeover.
  const elsewhere = new Set<string>();

  return {
    async filter(jobs: JobRecord[]): Promise<JobRecord[]> {
      if (!o) return jobs;
      const mine: JobRecord[] = [];
      // In an order of its own: replicas asking at once each take a share, not all going to the
      // one that started first. Jobs it already holds come first, so it keeps them.
      for (const j of ownFirst(jobs, held)) {
        const ok = await store.tryLease(`job:${j.id}`, o.owner, o.ttlMs).catch((error: unknown) => {
          logger.warn({ err: error, job: j.id }, 'could not take a job lease; leaving the job to the next tick');
          return undefined;
        });
        if (ok === undefined) continue; // the store did not answer: no verdict on who holds it
        if (!ok) {
          held.delete(j.id);
          elsewhere.add(j.id);
          continue;
        }
        if (elsewhere.delete(j.id)) {
          logger.info({ job: j.id }, 'took over a job whose replica stopped renewing its lease');
          o.onTakeover?.(j.id);
        }
        held.add(j.id);
        mine.push(j);
      }
      // Ended jobs are forgotten, and their leases given back (the rows do not pile up).
      const listed = new Set(jobs.map((j) => j.id));
      for (const id of [...held, ...elsewhere]) {
        if (listed.has(id)) continue;
        if (held.delete(id)) await store.releaseLease(`job:${id}`, o.owner).catch(() => undefined);
        elsewhere.delete(id);
      }
      return mine;
    },

    /** Renews one held lease mid-round; false when it was lost (another replica took it). */
    async renew(jobId: string): Promise<boolean> {
      if (!o) return true;
      const ok = await store.tryLease(`job:${jobId}`, o.owner, o.ttlMs).catch(() => false);
      if (!ok) {
        held.delete(jobId);
        elsewhere.add(jobId);
      }
      return ok;
    },

    /** Gives back what this replica holds, so another takes its jobs at once (a clean stop). */
    async release(): Promise<void> {
      if (!o) return;
      for (const id of held) await store.releaseLease(`job:${id}`, o.owner).catch(() => undefined);
      held.clear();
    },
  };
}

/** The jobs this replica holds, then the rest shuffled. */
function ownFirst(jobs: JobRecord[], held: ReadonlySet<string>): JobRecord[] {
  const rest = jobs.filter((j) => !held.has(j.id));
  for (let i = rest.length - 1; i > 0; i--) {
    const k = Math.floor(Math.random() * (i + 1));
    [rest[i], rest[k]] = [rest[k] as JobRecord, rest[i] as JobRecord];
  }
  return [...jobs.filter((j) => held.has(j.id)), ...rest];
}
