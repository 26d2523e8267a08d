import type { Logger } from '../logger.ts';
import type { JobEvent, ProviderError } from '../providers/types.ts';
import type { JobNotifier } from '../slack/job-notifier.ts';
import type { JobRecord, Store } from '../store/types.ts';
import type { Notices } from './notices.ts';

/**
 * "Monitoring degraded", said once in a job's thread when its provider cannot be reached about it
 * for a while, and "back" said once when it answers again: for providers whose jobs keep running
 * meanwhile (capabilities.degradedNotices: the team's own GPU hosts). They go out as provider
 * events with stable ids, `degraded:<n>` and `recovered:<n>` for the job's n-th outage, through the
 * same notices as the provider's own events, so each is posted effectively once across restarts.
 * The notice records are the memory: which outage is open is read back from them (once per job
 * and process), so a restart in the middle of an outage neither repeats the warning nor forgets to
 * say the job is back.
 */

export interface Degraded {
  /** The provider could not be asked about `job`: says so, once per outage. */
  lost(job: JobRecord, error: ProviderError): Promise<void>;
  /** The provider answered about `job`: says it is back, once, if it was said to be away. */
  back(job: JobRecord): Promise<void>;
}

interface Outages {
  /** The outage told and not yet ended, if any. */
  open: number | null;
  /** The number the next outage gets. */
  next: number;
}

export function createDegraded(o: {
  store: Store;
  notices: Notices;
  notifier: JobNotifier;
  logger: Logger;
  now: () => Date;
}): Degraded {
  const known = new Map<string, Outages>();
  const sent = async (jobId: string, key: string) => Boolean((await o.store.notice(jobId, key))?.sentAt);

  async function outages(jobId: string): Promise<Outages> {
    const cached = known.get(jobId);
    if (cached) return cached;
    let n = 1;
    let open: number | null = null;
    while (await sent(jobId, `event:degraded:${n}`)) {
      if (!(await sent(jobId, `event:recovered:${n}`))) {
        open = n;
        break;
      }
      n++;
    }
    const state = { open, next: open ?? n };
    known.set(jobId, state);
    return state;
  }

  async function say(job: JobRecord, event: JobEvent): Promise<boolean> {
    const key = `event:${event.id}`;
    return (await o.notices.once(job, key, () => o.notifier.providerEvent(job, event, key))).out;
  }

  return {
    async lost(job, error) {
      const state = await outages(job.id);
      if (state.open !== null) return;
      const n = state.next;
      const told = await say(job, {
        id: `degraded:${n}`,
        at: o.now().toISOString(),
        level: 'warning',
        message:
          `Monitoring degraded: ${error.message} The job itself keeps running; its progress is shown here ` +
          `again as soon as the bot can read it. ${error.hint}`,
      });
      if (told) {
        state.open = n;
        o.logger.info({ job: job.id, outage: n }, 'told a job’s thread that monitoring is degraded');
      }
    },
    async back(job) {
      const state = await outages(job.id);
      if (state.open === null) return;
      const n = state.open;
      const told = await say(job, {
        id: `recovered:${n}`,
        at: o.now().toISOString(),
        level: 'info',
        message: 'Monitoring is back: the bot can read the job again, and nothing it reported meanwhile was lost.',
      });
      if (told) {
        state.open = null;
        state.next = n + 1;
      }
    },
  };
}
