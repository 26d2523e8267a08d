import type { Catalogue } from '../cost/catalogue.ts';
import type { Logger } from '../logger.ts';
import type { JobSnapshot, Provider, ProviderId } from '../providers/types.ts';
import { TERMINAL_STATES } from '../providers/types.ts';
import type { JobNotifier } from '../slack/job-notifier.ts';
import { ACTIVE_PHASES, type JobPatch, type JobRecord, type Store } from '../store/types.ts';
import { EventBackoff } from './event-backoff.ts';
import { trainingUsd } from './job-cost.ts';
import { jobUpdate } from './job-update.ts';

export interface MonitorOptions {
  store: Store;
  providers: Partial<Record<ProviderId, Provider>>;
  notifier: JobNotifier;
  prices: Catalogue;
  logger: Logger;
  now?: () => Date;
  /** A running job with no new event for this long gets one warning in its thread. */
  stallMinutes: number;
  /** At most one edit of a job's message per this interval (Slack asks for restraint on chat.update). */
  editIntervalMs?: number;
  /** Jobs handled at once: bounds the calls in flight to a provider. */
  concurrency?: number;
}

export interface TickReport {
  jobs: number;
  changed: number;
  edited: number;
  finished: number;
  failures: number;
  ms: number;
  /** True when a tick was still running and this one did nothing. */
  skipped?: true;
}

export interface Monitor {
  tick(): Promise<TickReport>;
}

/**
 * The job watcher. Each tick reads the active jobs from the store (the truth), asks each provider
 * for all of its jobs in as few calls as it can, reads events only where they can have changed,
 * persists what it learnt, and tells the channel through the notifier. Every announcement is
 * claimed in the store before it is posted, so a restart neither repeats nor loses one; a job
 * becomes finished in the store only once its final message is out.
 */
export function createMonitor(o: MonitorOptions): Monitor {
  const now = o.now ?? (() => new Date());
  const editIntervalMs = o.editIntervalMs ?? 30_000;
  const concurrency = o.concurrency ?? 8;
  const backoff = new EventBackoff();
  // Everything is due for one edit after a start: the message may show a state from before it.
  const dirty = new Set<string>();
  const seen = new Set<string>();
  let running = false;

  /** Posts once per job and key. False only when the post failed (its claim is given back). */
  async function announce(job: JobRecord, key: string, post: () => Promise<unknown>): Promise<boolean> {
    if (!(await o.store.claimAnnouncement(job.id, key))) return true;
    try {
      await post();
      return true;
    } catch (error) {
      await o.store.releaseAnnouncement(job.id, key);
      o.logger.warn({ err: error, job: job.id, key }, 'could not post a job update; will try again');
      return false;
    }
  }

  function editDue(job: JobRecord, at: Date): boolean {
    return job.lastEditAt === null || at.getTime() - Date.parse(job.lastEditAt) >= editIntervalMs;
  }

  async function edit(job: JobRecord, at: Date): Promise<JobRecord | undefined> {
    if (!(await o.notifier.refresh(job))) return undefined;
    dirty.delete(job.id);
    return o.store.updateJob(job.id, { lastEditAt: at.toISOString() });
  }

  async function handle(job: JobRecord, provider: Provider, snapshot: JobSnapshot, report: TickReport) {
    const at = now();
    const ref = { provider: provider.id, id: snapshot.ref.id };
    const terminal = TERMINAL_STATES.has(snapshot.state);
    // Queued and validating jobs have nothing to say until their status moves; only running ones
    // produce events (metrics) without the status changing, and those are read on a backoff.
    const wantEvents =
      terminal || snapshot.state !== job.phase || (snapshot.state === 'running' && backoff.due(job.id));
    const page = wantEvents ? await provider.events(ref, job.eventCursor) : undefined;
    if (page) backoff.read(job.id, page.events.length > 0);

    const update = jobUpdate(job, snapshot, page, at);
    if (update.visible) {
      dirty.add(job.id);
      report.changed++;
    }
    await o.store.addLossPoints(job.id, update.lossPoints);
    const current = await o.store.updateJob(job.id, update.patch, ACTIVE_PHASES);
    if (!current) return; // cancelled or finished by someone else meanwhile

    for (const event of update.notable) {
      await announce(current, `event:${event.id}`, () => o.notifier.providerEvent(current as JobRecord, event));
    }
    if (snapshot.state !== job.phase && !terminal) {
      await announce(current, `status:${snapshot.state}`, () =>
        o.notifier.statusChanged(current as JobRecord, job.phase, snapshot.state),
      );
    }
    if (update.checkpointMentioned || snapshot.state === 'succeeded') {
      for (const checkpoint of await provider.checkpoints(ref)) {
        await announce(current, `checkpoint:${checkpoint.id}`, () =>
          o.notifier.checkpoint(current as JobRecord, checkpoint),
        );
      }
    }
    if (snapshot.state === 'running') await warnIfStalled(current, at);

    if (terminal) {
      // The final edit obeys the edit interval too; until it is allowed the job stays active.
      if (!editDue(current, at)) return;
      const billed = snapshot.trainedTokens ?? undefined;
      const patch: JobPatch = {
        phase: snapshot.state,
        finishedAt: snapshot.finishedAt ?? at.toISOString(),
        lastEditAt: at.toISOString(),
        actualUsd:
          snapshot.state === 'failed'
            ? 0 // neither OpenAI nor Azure bills a failed job
            : billed === undefined
              ? null
              : (trainingUsd(current.provider, current.request, billed, o.prices) ?? null),
      };
      // Told first, recorded second: a failed post leaves the job active so the next tick tries
      // again, and a crash in between finds the claim and only records.
      const final: JobRecord = { ...current, ...patch } as JobRecord;
      const points = await o.store.lossPoints(current.id);
      if (!(await announce(final, 'finished', () => o.notifier.finished(final, points)))) return;
      if (!(await o.store.updateJob(current.id, patch, ACTIVE_PHASES))) return;
      dirty.delete(job.id);
      backoff.forget(job.id);
      report.finished++;
      report.edited++;
      return;
    }
    if (dirty.has(job.id) && editDue(current, at) && (await edit(current, at))) report.edited++;
  }

  async function warnIfStalled(job: JobRecord, at: Date) {
    const since = job.lastEventAt ?? job.startedAt;
    if (!since) return;
    const minutes = (at.getTime() - Date.parse(since)) / 60_000;
    if (minutes < o.stallMinutes) return;
    await announce(job, `stall:${since}`, () => o.notifier.stalled(job, Math.floor(minutes)));
  }

  async function tick(): Promise<TickReport> {
    const started = performance.now();
    const report: TickReport = { jobs: 0, changed: 0, edited: 0, finished: 0, failures: 0, ms: 0 };
    if (running) return { ...report, skipped: true };
    running = true;
    try {
      backoff.nextTick();
      const jobs = (await o.store.listActiveJobs()).filter((j) => j.providerJobId !== null);
      report.jobs = jobs.length;
      for (const j of jobs) {
        if (!seen.has(j.id)) {
          seen.add(j.id);
          dirty.add(j.id);
        }
      }
      const byProvider = new Map<ProviderId, JobRecord[]>();
      for (const j of jobs) byProvider.set(j.provider, [...(byProvider.get(j.provider) ?? []), j]);

      for (const [id, list] of byProvider) {
        const provider = o.providers[id];
        if (!provider) {
          o.logger.warn({ provider: id, jobs: list.length }, 'jobs for a provider that is not configured');
          continue;
        }
        let snapshots: Map<string, JobSnapshot>;
        try {
          snapshots = await provider.snapshots(list.map((j) => ({ provider: id, id: j.providerJobId as string })));
        } catch (error) {
          report.failures += list.length;
          o.logger.warn({ err: error, provider: id }, 'could not read job states; will try again next tick');
          continue;
        }
        await eachLimited(list, concurrency, async (job) => {
          const snapshot = snapshots.get(job.providerJobId as string);
          if (!snapshot) return;
          try {
            await handle(job, provider, snapshot, report);
          } catch (error) {
            report.failures++;
            o.logger.warn({ err: error, job: job.id }, 'could not update a job; will try again next tick');
          }
        });
      }
    } finally {
      running = false;
    }
    report.ms = Math.round(performance.now() - started);
    return report;
  }

  return { tick };
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
