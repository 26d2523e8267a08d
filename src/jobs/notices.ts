import type { Logger } from '../logger.ts';
import { slackErrorCode } from '../slack/deliver.ts';
import { cannotReachChannel, type JobNotifier } from '../slack/job-notifier.ts';
import type { JobRecord, Store } from '../store/types.ts';

/** How long another process's unconfirmed claim is left alone before it is looked up and taken over. */
const DEFAULT_NOTICE_LEASE_MS = 60_000;

export interface NoticeOptions {
  store: Store;
  notifier: JobNotifier;
  logger: Logger;
  now: () => Date;
  /** This process, as the owner of its claims. */
  owner: string;
  leaseMs?: number;
}

/**
 * What came of a notice: out (now, before, or found in Slack), with its ts when it has one; or not
 * out yet. `refused`: Slack answered that it did not post it (an error code), so nothing is there;
 * otherwise (a timeout, a 5xx, a lookup that failed) it may be, and the next try looks first.
 */
type NoticeOutcome =
  | { out: true; ts: string | null; unreachable?: true }
  | { out: false; why: 'held' }
  | { out: false; why: 'failed'; error: unknown; refused: boolean };

export interface Notices {
  /**
   * Posts notice `key` of `job` effectively once, across restarts and processes: claimed in the
   * store, posted (`post` returns the message ts), confirmed with that ts. A claim that a dead
   * process left unconfirmed is looked up in Slack first — found, it is recorded; missing, posted.
   * A channel that can no longer be reached drops the notice (retrying cannot help).
   */
  once(job: JobRecord, key: string, post: () => Promise<string | null>): Promise<NoticeOutcome>;
  /** True while this process works on the job (starting it, asking its approvers). */
  busy(jobId: string): boolean;
  /** Runs `work` with the job marked busy, so this process does not resume it at the same time. */
  working<T>(jobId: string, work: () => Promise<T>): Promise<T | undefined>;
  readonly leaseMs: number;
}

export function createNotices(o: NoticeOptions): Notices {
  const leaseMs = o.leaseMs ?? DEFAULT_NOTICE_LEASE_MS;
  const inFlight = new Set<string>();
  const jobsAtWork = new Set<string>();

  return {
    leaseMs,
    async once(job, key, post) {
      const id = `${job.id}\u0000${key}`;
      // Marked before the first await: a second call for the same notice in this process waits its turn.
      if (inFlight.has(id)) return { out: false, why: 'held' };
      inFlight.add(id);
      try {
        const staleBefore = new Date(o.now().getTime() - leaseMs).toISOString();
        const claim = await o.store.claimNotice(job.id, key, o.owner, staleBefore);
        if (claim === 'sent') return { out: true, ts: (await o.store.notice(job.id, key))?.ts ?? null };
        if (claim === 'held') return { out: false, why: 'held' };
        if (claim === 'orphaned') {
          let found: string | undefined;
          try {
            found = await o.notifier.find(job, key);
          } catch (error) {
            // Not knowing is not "missing": the claim stays, and the next try looks again.
            o.logger.warn({ err: error, job: job.id, key }, 'could not look a notice up in Slack; will try again');
            return { out: false, why: 'failed', error, refused: false };
          }
          if (found !== undefined) {
            o.logger.info({ job: job.id, key }, 'found a notice cut off by a restart; recorded it, not posted again');
            await o.store.confirmNotice(job.id, key, found);
            return { out: true, ts: found };
          }
        }
        let ts: string | null;
        try {
          ts = await post();
        } catch (error) {
          if (cannotReachChannel(error)) {
            o.logger.warn({ err: error, job: job.id, key }, 'the job’s channel cannot be reached; notice dropped');
            await o.store.confirmNotice(job.id, key, null);
            return { out: true, ts: null, unreachable: true };
          }
          // Slack said no (an error code): nothing was posted, so the claim is given back. Anything
          // else may have posted it: the claim stays, and the next try (this process at once,
          // another after the lease) looks it up before posting.
          const refused = slackErrorCode(error) !== undefined;
          if (refused) await o.store.releaseNotice(job.id, key, o.owner);
          o.logger.warn({ err: error, job: job.id, key }, 'could not post a job notice; will try again');
          return { out: false, why: 'failed', error, refused };
        }
        await o.store.confirmNotice(job.id, key, ts);
        return { out: true, ts };
      } finally {
        inFlight.delete(id);
      }
    },
    busy: (jobId) => jobsAtWork.has(jobId),
    async working(jobId, work) {
      if (jobsAtWork.has(jobId)) return undefined;
      jobsAtWork.add(jobId);
      try {
        return await work();
      } finally {
        jobsAtWork.delete(jobId);
      }
    },
  };
}
