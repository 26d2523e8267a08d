import type { Catalogue } from '../cost/catalogue.ts';
import type { Logger } from '../logger.ts';
import {
  type CancelOutcome,
  type JobError,
  type JobSpec,
  type Provider,
  ProviderError,
  type ProviderId,
  type TrainingFile,
  uploadName,
} from '../providers/types.ts';
import { SlackFileError } from '../slack/files.ts';
import { cannotReachChannel, type JobNotifier } from '../slack/job-notifier.ts';
import { ACTIVE_PHASES, type JobRecord, type LossPoint, type SlackFileRef, type Store } from '../store/types.ts';
import { cancelledPatch } from './cancel-outcome.ts';
import type { Notices } from './notices.ts';
import { trackFileErrors } from './track-file-errors.ts';

export interface LifecycleDeps {
  store: Store;
  providers: Partial<Record<ProviderId, Provider>>;
  notifier: JobNotifier;
  logger: Logger;
  now: () => Date;
  /** Every message about a job goes out through here, effectively once. */
  notices: Notices;
  /** Reads a file uploaded in Slack again (with the bot token), for jobs that start later. */
  openSlackFile?: (file: SlackFileRef) => TrainingFile;
  /** Waits between retries of a start the provider did not confirm; tests make it short. */
  startRetryMs?: number;
  /** The price catalogue: what a cancelled GPU job's GPU time cost. */
  prices?: Catalogue;
}

export class JobActionError extends Error {
  override name = 'JobActionError';
}

export function jobSpec(job: JobRecord): JobSpec {
  const r = job.request;
  if (!r.trainingFileId) throw new JobActionError(`job ${job.id} has no training file yet`);
  return {
    id: job.id,
    model: r.model,
    method: r.method,
    trainingFileId: r.trainingFileId,
    ...(r.validationFileId ? { validationFileId: r.validationFileId } : {}),
    ...(r.suffix ? { suffix: r.suffix } : {}),
    ...(r.seed !== undefined ? { seed: r.seed } : {}),
    hyperparameters: r.hyperparameters,
    channelId: job.channelId,
    requestedBy: job.requestedBy,
    ...(r.trainingType ? { trainingType: r.trainingType } : {}),
    ...(r.lora ? { lora: r.lora } : {}),
    ...(r.host ? { host: r.host } : {}),
  };
}

/** A failure in words the job message can show: a ProviderError keeps its hint, anything else is ours. */
export function asJobError(error: unknown): JobError {
  if (error instanceof ProviderError) return { code: error.kind, message: error.message, hint: error.hint };
  if (error instanceof SlackFileError) {
    return { code: 'file', message: error.message, hint: 'Upload the file again with /finetune start.' };
  }
  if (error instanceof JobActionError) return { code: 'job', message: `${error.message}.` };
  return {
    code: 'internal',
    message: 'Something went wrong on the bot’s side while starting the job.',
    hint: 'Try again; if it keeps failing, the bot’s logs say why.',
  };
}

function providerOf(deps: LifecycleDeps, id: ProviderId): Provider {
  const provider = deps.providers[id];
  if (!provider) throw new JobActionError(`the ${id} provider is not configured`);
  return provider;
}

/**
 * Takes a job from `starting` to a provider job: posts its message (so the channel sees it at once),
 * uploads the file when it is not on the provider yet, creates the provider job (idempotent on our
 * id, so a restart in the middle cannot start it twice) and records the reference. A failure ends
 * the job as failed, with the provider's words and a hint, in the message and its thread. A job this
 * process is already starting, or whose message another process is posting, is left as it is.
 */
export async function startJob(deps: LifecycleDeps, jobId: string, file?: TrainingFile): Promise<JobRecord> {
  const result = await deps.notices.working(jobId, () => startNow(deps, jobId, file));
  const job = result ?? (await deps.store.getJob(jobId));
  if (!job) throw new JobActionError(`no job ${jobId}`);
  return job;
}

async function startNow(deps: LifecycleDeps, jobId: string, file?: TrainingFile): Promise<JobRecord> {
  let job = await deps.store.getJob(jobId);
  if (!job) throw new JobActionError(`no job ${jobId}`);
  if (job.phase !== 'starting') return job;
  try {
    if (!job.messageTs) {
      const current = job;
      const posted = await deps.notices.once(current, 'message', () => deps.notifier.post(current, 'message'));
      // Held by another process, or perhaps posted: left starting, and resumed once the lease is up.
      if (!posted.out && (posted.why === 'held' || !posted.refused)) return job;
      if (!posted.out) throw posted.error;
      if (posted.unreachable || !posted.ts) return failJob(deps, job, CHANNEL_UNREACHABLE);
      job = (await deps.store.updateJob(job.id, { messageTs: posted.ts })) ?? job;
    }
    const provider = providerOf(deps, job.provider);
    if (!job.request.trainingFileId) job = (await upload(deps, provider, job, file)) ?? job;
    if (job.phase !== 'starting' || !job.request.trainingFileId) return job;
    const ref = await startWithRetries(deps, provider, jobSpec(job));
    let started: JobRecord | undefined;
    try {
      started = await deps.store.updateJob(
        job.id,
        { providerJobId: ref.id, phase: 'validating', providerStatus: 'validating_files' },
        ['starting'],
      );
    } catch (error) {
      // The provider job exists but the store did not take it (a database cut off mid-write): the
      // job stays starting, and a later resume finds the same provider job by our id and records
      // it. Failing it here would leave a live job training unwatched, its file deleted under it.
      deps.logger.warn(
        { err: error, job: job.id, providerJob: ref.id },
        'could not record a started job; will resume it',
      );
      return job;
    }
    if (!started) {
      const now = await deps.store.getJob(job.id);
      // Another process (a replica resuming it) recorded this very provider job: it is started.
      if (now && now.providerJobId === ref.id) return now;
      // Cancelled while the provider was creating it: the provider job must not train unwatched.
      await provider.cancel(ref).catch((error) => {
        deps.logger.error(
          { err: error, job: job?.id, providerJob: ref.id },
          'could not cancel a job cancelled while starting',
        );
      });
      return (await deps.store.updateJob(job.id, { providerJobId: ref.id })) ?? job;
    }
    // The edit counts against the job's edit interval like the monitor's own.
    if (await deps.notifier.refresh(started).catch(() => false)) {
      return (await deps.store.updateJob(job.id, { lastEditAt: deps.now().toISOString() })) ?? started;
    }
    return started;
  } catch (error) {
    deps.logger.warn({ err: error, job: job.id }, 'could not start a job');
    // No provider job took the file: what was uploaded for it (named for this job) goes too.
    if (!job.providerJobId && Object.hasOwn(deps.providers, job.provider)) {
      await deps.providers[job.provider]?.discardUploads(job.id).catch(() => 0);
    }
    return failJob(deps, job, cannotReachChannel(error) ? CHANNEL_UNREACHABLE : asJobError(error));
  }
}

/**
 * Puts the training file on the provider and records its id. Marked in the record first: a start
 * resumed after a crash knows an upload may have landed unrecorded, and deletes it at the provider
 * before uploading again. Undefined when the job was cancelled meanwhile.
 */
async function upload(
  deps: LifecycleDeps,
  provider: Provider,
  job: JobRecord,
  file: TrainingFile | undefined,
): Promise<JobRecord | undefined> {
  const source = file ?? (job.request.slackFile ? deps.openSlackFile?.(job.request.slackFile) : undefined);
  if (!source) throw new JobActionError(`job ${job.id} has neither a provider file id nor a file to upload`);
  if (job.request.uploadStartedAt) {
    const deleted = await provider.discardUploads(job.id);
    if (deleted > 0) deps.logger.info({ job: job.id, deleted }, 'deleted an upload a restart had cut off');
  }
  const marked = await deps.store.updateJob(
    job.id,
    { request: { ...job.request, uploadStartedAt: deps.now().toISOString() } },
    ['starting'],
  );
  if (!marked) return deps.store.getJob(job.id);
  // The Slack download runs inside the provider's upload: its own failure (the file deleted in
  // Slack meanwhile) must reach the person as that, not as "could not reach the provider".
  const tracked = trackFileErrors({ ...source, name: uploadName(job.id, source.name) });
  let ref: Awaited<ReturnType<Provider['prepare']>>;
  try {
    ref = await provider.prepare(tracked.file, {
      id: job.id,
      model: job.request.model,
      ...(job.request.host ? { host: job.request.host } : {}),
      ...(job.request.lora ? { lora: job.request.lora } : {}),
    });
  } catch (error) {
    // What was lost may be only the answer: a file that landed must not stay behind a failed job
    // (unless the job went on without this process meanwhile, with a file of its own).
    const now = await deps.store.getJob(job.id).catch(() => undefined);
    if (now?.phase === 'starting' && !now.request.trainingFileId) {
      const deleted = await provider.discardUploads(job.id).catch(() => 0);
      if (deleted > 0) deps.logger.info({ job: job.id, deleted }, 'deleted the upload of a failed start');
    }
    throw tracked.error() ?? error;
  }
  const { slackFile: _uploaded, uploadStartedAt: _marker, ...rest } = marked.request;
  const uploaded = await deps.store.updateJob(
    job.id,
    { request: { ...rest, trainingFileId: ref.id, trainingFileName: source.name } },
    ['starting'],
  );
  if (!uploaded) {
    // Cancelled during the upload: the file has no job to train.
    await provider.discardUploads(job.id).catch(() => 0);
    return deps.store.getJob(job.id);
  }
  return uploaded;
}

/** The job's channel refused the bot's post: nothing was started, and the requester hears why by DM. */
export const CHANNEL_UNREACHABLE: JobError = {
  code: 'channel',
  // Plain words: this reaches the requester by DM, where the text is shown escaped.
  message: 'I cannot post in the channel you chose, so the job was not started.',
  hint: 'Invite the bot to that channel (/invite) and start the job again; nothing was billed.',
};

/**
 * A create that timed out may have reached the provider: asking again is safe (start finds a job
 * carrying our id before creating one) and better than calling it failed while it trains.
 */
async function startWithRetries(deps: LifecycleDeps, provider: Provider, spec: JobSpec) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await provider.start(spec);
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || attempt >= START_ATTEMPTS) throw error;
      deps.logger.info({ job: spec.id, attempt }, 'retrying a job start the provider did not confirm');
      await new Promise((resolve) => setTimeout(resolve, (deps.startRetryMs ?? START_RETRY_MS) * attempt));
    }
  }
}

const START_ATTEMPTS = 3;
export const START_RETRY_MS = 1_000;

export async function failJob(deps: LifecycleDeps, job: JobRecord, error: JobError): Promise<JobRecord> {
  const at = deps.now().toISOString();
  const failed = await deps.store.updateJob(
    job.id,
    { phase: 'failed', error, finishedAt: at, actualUsd: 0, lastEditAt: at },
    ['starting', 'awaiting_approval'],
  );
  if (!failed) return job;
  await announceEnd(deps, failed, []);
  return failed;
}

/**
 * Tells the channel how a job ended, effectively once: the message edited to its final state, the
 * closing reply in its thread (or by DM), and for a success the loss curve. True when the ending is
 * out; false when Slack failed, and the monitor tries the ending again (jobs whose `finished` notice
 * is unconfirmed are listed for it).
 */
export async function announceEnd(deps: LifecycleDeps, job: JobRecord, points: LossPoint[]): Promise<boolean> {
  const done = await deps.store.notice(job.id, 'finished');
  // The edit comes before the claim, so a live claim means the edit is out and the ending is being
  // told right now (a Cancel's, while the monitor retries endings): the message is not edited again.
  const beingTold =
    done !== undefined && !done.sentAt && Date.parse(done.claimedAt) >= deps.now().getTime() - deps.notices.leaseMs;
  if (!done?.sentAt && !beingTold) {
    try {
      await deps.notifier.showFinal(job);
    } catch (error) {
      if (!cannotReachChannel(error)) {
        deps.logger.warn({ err: error, job: job.id }, 'could not show how a job ended; will try again');
        return false;
      }
    }
  }
  const told = await deps.notices.once(job, 'finished', () => deps.notifier.finished(job, 'finished'));
  if (!told.out) return false;
  if (job.phase === 'succeeded' && job.messageTs) {
    // The summary is the announcement; the curve is a bonus, given up (not retried) when it fails,
    // so a broken chart can never hold the ending back.
    const curve = await deps.notices.once(job, 'curve', async () => {
      try {
        return await deps.notifier.lossCurve(job, points, 'curve');
      } catch (error) {
        deps.logger.warn({ err: error, job: job.id }, 'could not post the loss curve');
        return null;
      }
    });
    // Held by a process that died uploading it: the job stays active until the curve is found or
    // posted, or it would never be tried again.
    if (!curve.out) return false;
  }
  return true;
}

/**
 * Cancels at the provider, then records it; the message is edited at once (a person pressed a
 * button and waits to see it). A job the provider already finished is left as the monitor finds it.
 */
export async function cancelJob(deps: LifecycleDeps, jobId: string, by: string): Promise<JobRecord> {
  const job = await deps.store.getJob(jobId);
  if (!job) throw new JobActionError(`no job ${jobId}`);
  if (!ACTIVE_PHASES.includes(job.phase) && job.phase !== 'awaiting_approval') {
    throw new JobActionError(`job ${job.id} has already ended (${job.phase})`);
  }
  let outcome: CancelOutcome | undefined;
  if (job.providerJobId) {
    outcome = await providerOf(deps, job.provider).cancel({ provider: job.provider, id: job.providerJobId });
  }
  const cancelled = await deps.store.updateJob(
    job.id,
    cancelledPatch(job, by, deps.now().toISOString(), outcome, deps.prices),
    [...ACTIVE_PHASES, 'awaiting_approval'],
  );
  if (!cancelled) {
    // The monitor saw the provider's cancel first (a GPU trainer stops at its next step) and told
    // the channel: the cancel did happen, and the record says who asked for it.
    const now = await deps.store.getJob(job.id);
    if (now?.phase !== 'cancelled') throw new JobActionError(`job ${job.id} ended while it was being cancelled`);
    const who = { error: { code: 'cancelled', message: `Cancelled by <@${by}>.` } };
    return (await deps.store.updateJob(job.id, who, ['cancelled'])) ?? now;
  }
  await announceEnd(deps, cancelled, await deps.store.lossPoints(cancelled.id));
  return cancelled;
}
