import type { Catalogue } from '../cost/catalogue.ts';
import type { Logger } from '../logger.ts';
import type { JobSnapshot, Provider, ProviderId } from '../providers/types.ts';
import { ProviderError, TERMINAL_STATES } from '../providers/types.ts';
import type { JobNotifier } from '../slack/job-notifier.ts';
import { ACTIVE_PHASES, type JobPatch, type JobRecord, type Store } from '../store/types.ts';
import { createDegraded } from './degraded.ts';
import { EventBackoff } from './event-backoff.ts';
import { gpuUsd, trainingRate, trainingUsd } from './job-cost.ts';
import { createJobLeases, type JobLeaseOptions } from './job-leases.ts';
import { jobUpdate } from './job-update.ts';
import { announceEnd } from './lifecycle.ts';
import type { Notices } from './notices.ts';

/** Ticks a job may be missing from the provider's list before it is asked for by id. */
const MISSES_BEFORE_ASKING = 3;
/** How long an ending whose message failed keeps being retried. */
const RETRY_ENDINGS_FOR_MS = 24 * 3600 * 1000;

export interface MonitorOptions {
  store: Store;
  providers: Partial<Record<ProviderId, Provider>>;
  notifier: JobNotifier;
  prices: Catalogue;
  logger: Logger;
  notices: Notices;
  now?: () => Date;
  /** Run at the start of every tick: picks up jobs a restart left half-started (src/jobs/resume.ts). */
  resume?: () => Promise<void>;
  /** A running job with no new event for this long gets one warning in its thread. */
  stallMinutes: number;
  /** At most one edit of a job's message per this interval (Slack asks for restraint on chat.update). */
  editIntervalMs?: number;
  /** Jobs handled at once: bounds the calls in flight to a provider. */
  concurrency?: number;
  /**
   * Per provider, the least time between two rounds' polls of one job. For a provider whose endings
   * arrive by webhook (which ticks that job at once), rounds are only for progress and can be rare.
   * Absent: every job on every tick.
   */
  pollEveryMs?: Partial<Record<ProviderId, number>>;
  /**
   * Replicas share the rounds: each job is watched by the replica holding its lease in the store
   * (`owner`, renewed every tick, free again `ttlMs` after its holder stops renewing), so a dead
   * replica's jobs are taken over once that passes. Absent: this process watches every job.
   */
  leases?: JobLeaseOptions;
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
  /**
   * One round over the active jobs; with `onlyJobId`, over that one job (the Refresh button): its
   * events are read and its message edited now, whatever the backoff and the edit interval say.
   */
  tick(onlyJobId?: string): Promise<TickReport>;
  /** Gives back the leases this replica holds, so another takes its jobs at once (a clean stop). */
  releaseLeases(): Promise<void>;
}

/**
 * The job watcher. Each tick reads the active jobs from the store (the truth), asks each provider
 * for all of its jobs in as few calls as it can, reads events only where they can have changed,
 * persists what it learnt, and tells the channel through the notifier. Every notice goes through
 * `notices.once` (claimed, posted with its metadata, confirmed), so a restart neither repeats nor
 * loses one; a job becomes finished in the store only once its ending is out, and an ending goes
 * out on the first poll that sees it.
 */
export function createMonitor(o: MonitorOptions): Monitor {
  const now = o.now ?? (() => new Date());
  const editIntervalMs = o.editIntervalMs ?? 30_000;
  const concurrency = o.concurrency ?? 8;
  const backoff = new EventBackoff();
  // Everything is due for one edit after a start: the message may show a state from before it.
  const dirty = new Set<string>();
  const seen = new Set<string>();
  const misses = new Map<string, number>();
  let running = false;
  const refreshing = new Set<string>();
  const polledAt = new Map<string, number>();
  const degraded = createDegraded({ ...o, now });
  const leases = createJobLeases(o.store, o.logger, o.leases);

  /** Posts once per job and key. False when it is not out yet (failed, or another process holds it). */
  async function announce(job: JobRecord, key: string, post: () => Promise<string | null>): Promise<boolean> {
    return (await o.notices.once(job, key, post)).out;
  }
  const lifecycle = { ...o, now };

  function editDue(job: JobRecord, at: Date): boolean {
    return job.lastEditAt === null || at.getTime() - Date.parse(job.lastEditAt) >= editIntervalMs;
  }

  async function edit(job: JobRecord, at: Date): Promise<JobRecord | undefined> {
    // Read again: a Cancel may have ended the job (and written its final message) since this
    // tick read it, and that message must not be edited back to "running".
    const fresh = await o.store.getJob(job.id);
    if (!fresh || !ACTIVE_PHASES.includes(fresh.phase) || fresh.lastEditAt !== job.lastEditAt) return undefined;
    if (!(await o.notifier.refresh(fresh))) return undefined;
    dirty.delete(job.id);
    return o.store.updateJob(job.id, { lastEditAt: at.toISOString() });
  }

  /** `asked`: a person pressed Refresh on this job, and wants its news and its message now. */
  async function handle(job: JobRecord, provider: Provider, snapshot: JobSnapshot, report: TickReport, asked = false) {
    const at = now();
    const ref = { provider: provider.id, id: snapshot.ref.id };
    const terminal = TERMINAL_STATES.has(snapshot.state);
    if (provider.capabilities.degradedNotices) await degraded.back(job);
    // Queued and validating jobs have nothing to say until their status moves; only running ones
    // produce events (metrics) without the status changing, and those are read on a backoff.
    const wantEvents =
      terminal || snapshot.state !== job.phase || (snapshot.state === 'running' && (asked || backoff.due(job.id)));
    const page = wantEvents ? await provider.events(ref, job.eventCursor) : undefined;
    if (page) backoff.read(job.id, page.events.length > 0);

    const update = jobUpdate(job, snapshot, page, at);
    await o.store.addLossPoints(job.id, update.lossPoints);

    // Told first, recorded second: when a post fails, the cursor and the phase stay where they
    // were, so the next tick reads the same news again and posts only what is still unsaid.
    const next = { ...job, ...update.patch } as JobRecord;
    let told = true;
    for (const event of update.notable) {
      const key = `event:${event.id}`;
      told = (await announce(next, key, () => o.notifier.providerEvent(next, event, key))) && told;
    }
    if (snapshot.state !== job.phase && !terminal) {
      told =
        (await announce(next, `status:${snapshot.state}`, () =>
          o.notifier.statusChanged(next, job.phase, snapshot.state, `status:${snapshot.state}`),
        )) && told;
    }
    if (update.checkpointMentioned || snapshot.state === 'succeeded') {
      for (const checkpoint of await provider.checkpoints(ref)) {
        const key = `checkpoint:${checkpoint.id}`;
        told = (await announce(next, key, () => o.notifier.checkpoint(next, checkpoint, key))) && told;
      }
    }
    if (!told) {
      report.failures++;
      return;
    }
    if (update.visible) {
      dirty.add(job.id);
      report.changed++;
    }
    const current = await o.store.updateJob(job.id, update.patch, ACTIVE_PHASES);
    if (!current) return; // cancelled or finished by someone else meanwhile

    if (snapshot.state === 'running') await warnIfStalled(current, at);

    if (terminal) {
      // No edit interval here: an ending is one edit per job, ever, and people are waiting for it.
      const before = current;
      const billed = snapshot.trainedTokens ?? undefined;
      const patch: JobPatch = {
        phase: snapshot.state,
        finishedAt: snapshot.finishedAt ?? at.toISOString(),
        lastEditAt: at.toISOString(),
        actualUsd: snapshot.gpu
          ? (gpuUsd(snapshot.gpu, o.prices) ?? null) // the GPU time was spent, whatever the ending
          : snapshot.state === 'failed'
            ? 0 // neither OpenAI nor Azure bills a failed job
            : billed === undefined
              ? null
              : (trainingUsd(current.provider, current.request, billed, o.prices) ?? null),
        // An actual cost computed at a placeholder rate is as unsure as the estimate was: marked.
        ...(!snapshot.gpu &&
        billed !== undefined &&
        trainingRate(current.provider, current.request, o.prices)?.placeholder
          ? { progress: { ...current.progress, costPlaceholder: true } }
          : {}),
      };
      // Told first, recorded second: a failed post leaves the job active so the next tick tries
      // again, and a crash in between finds the notice confirmed (or in Slack) and only records.
      const final: JobRecord = { ...before, ...patch } as JobRecord;
      const points = await o.store.lossPoints(before.id);
      if (!(await announceEnd(lifecycle, final, points))) {
        report.failures++;
        return;
      }
      if (!(await o.store.updateJob(before.id, patch, ACTIVE_PHASES))) return;
      dirty.delete(job.id);
      backoff.forget(job.id);
      report.finished++;
      report.edited++;
      return;
    }
    if (dirty.has(job.id) && (asked || editDue(current, at)) && (await edit(current, at))) report.edited++;
  }

  /**
   * A job the provider's list left out: usually a page boundary, so it is skipped a few ticks; after
   * that it is asked for directly, and one the provider no longer knows (deleted in its console)
   * ends as failed rather than being polled for ever.
   */
  async function missing(job: JobRecord, provider: Provider): Promise<JobSnapshot | undefined> {
    const count = (misses.get(job.id) ?? 0) + 1;
    misses.set(job.id, count);
    if (count < MISSES_BEFORE_ASKING) return undefined;
    try {
      const status = await provider.poll({ provider: provider.id, id: job.providerJobId as string }, job.eventCursor);
      misses.delete(job.id);
      return status;
    } catch (error) {
      // A host that cannot be asked leaves the job running there, unseen: said once in its thread.
      if (error instanceof ProviderError && error.kind !== 'not_found' && provider.capabilities.degradedNotices) {
        await degraded.lost(job, error);
      }
      if (!(error instanceof ProviderError) || error.kind !== 'not_found') throw error;
      misses.delete(job.id);
      const at = now().toISOString();
      const ended = await o.store.updateJob(
        job.id,
        {
          phase: 'failed',
          finishedAt: at,
          error: {
            code: 'not_found',
            message: `${provider.label} no longer knows this job (${job.providerJobId}); it may have been deleted there.`,
            hint: 'Check the provider’s console; nothing more will be reported here.',
          },
        },
        ACTIVE_PHASES,
      );
      if (ended) await announceEnd(lifecycle, ended, []);
      return undefined;
    }
  }

  /** Endings whose message did not go out (a Slack failure after a Cancel, say) are tried again. */
  async function retryEndings(report: TickReport) {
    const since = new Date(now().getTime() - RETRY_ENDINGS_FOR_MS).toISOString();
    for (const job of await o.store.listEndedUnannounced(since)) {
      const points = await o.store.lossPoints(job.id);
      if (!(await announceEnd(lifecycle, job, points))) report.failures++;
    }
  }

  async function warnIfStalled(job: JobRecord, at: Date) {
    const since = job.lastEventAt ?? job.startedAt;
    if (!since) return;
    const minutes = (at.getTime() - Date.parse(since)) / 60_000;
    if (minutes < o.stallMinutes) return;
    const key = `stall:${since}`;
    await announce(job, key, () => o.notifier.stalled(job, Math.floor(minutes), key));
  }

  function pollDue(job: JobRecord, at: number): boolean {
    const every = o.pollEveryMs?.[job.provider];
    const last = polledAt.get(job.id);
    return every === undefined || last === undefined || at - last >= every;
  }

  async function tick(onlyJobId?: string): Promise<TickReport> {
    const started = performance.now();
    const report: TickReport = { jobs: 0, changed: 0, edited: 0, finished: 0, failures: 0, ms: 0 };
    // A round over everything and a Refresh of one job may overlap (a press must not make the
    // round skip), but never on the same job.
    if (onlyJobId ? running || refreshing.has(onlyJobId) : running) return { ...report, skipped: true };
    if (onlyJobId) refreshing.add(onlyJobId);
    else running = true;
    try {
      if (!onlyJobId) {
        backoff.nextTick();
        await o.resume?.().catch((error) => o.logger.warn({ err: error }, 'could not resume interrupted jobs'));
      }
      const listed = (await o.store.listActiveJobs()).filter(
        (j) => j.providerJobId !== null && (onlyJobId === undefined ? !refreshing.has(j.id) : j.id === onlyJobId),
      );
      // A Refresh or a webhook polls its job here whoever holds it: what is said stays once-only
      // through the notices, and the person asked this replica.
      // Only jobs this replica can serve are leased: one without the provider must not hold them.
      const active = onlyJobId ? listed : await leases.filter(listed.filter((j) => o.providers[j.provider]));
      // A job polled by any tick (a Refresh, a webhook) waits out its interval again; ended ones are forgotten.
      const at = now().getTime();
      const jobs = onlyJobId ? active : active.filter((j) => pollDue(j, at));
      if (!onlyJobId) for (const id of polledAt.keys()) if (!active.some((j) => j.id === id)) polledAt.delete(id);
      for (const j of jobs) polledAt.set(j.id, at);
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
          try {
            // A long round renews each lease as it reaches its job: past the lease another replica
            // may hold it, and then this one leaves it alone.
            if (!onlyJobId && !(await leases.renew(job.id))) return;
            const snapshot = snapshots.get(job.providerJobId as string) ?? (await missing(job, provider));
            if (snapshot) await handle(job, provider, snapshot, report, onlyJobId !== undefined);
          } catch (error) {
            report.failures++;
            o.logger.warn({ err: error, job: job.id }, 'could not update a job; will try again next tick');
          }
        });
      }
      if (!onlyJobId) await retryEndings(report);
    } finally {
      if (onlyJobId) refreshing.delete(onlyJobId);
      else running = false;
    }
    report.ms = Math.round(performance.now() - started);
    return report;
  }

  return { tick, releaseLeases: () => leases.release() };
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
