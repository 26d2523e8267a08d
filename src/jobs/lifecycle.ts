import type { Logger } from '../logger.ts';
import {
  type JobError,
  type JobSpec,
  type Provider,
  ProviderError,
  type ProviderId,
  type TrainingFile,
} from '../providers/types.ts';
import { SlackFileError } from '../slack/files.ts';
import { cannotReachChannel, type JobNotifier } from '../slack/job-notifier.ts';
import { ACTIVE_PHASES, type JobRecord, type LossPoint, type SlackFileRef, type Store } from '../store/types.ts';

export interface LifecycleDeps {
  store: Store;
  providers: Partial<Record<ProviderId, Provider>>;
  notifier: JobNotifier;
  logger: Logger;
  now: () => Date;
  /** Reads a file uploaded in Slack again (with the bot token), for jobs that start later. */
  openSlackFile?: (file: SlackFileRef) => TrainingFile;
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
 * the job as failed, with the provider's words and a hint, in the message and its thread.
 */
export async function startJob(deps: LifecycleDeps, jobId: string, file?: TrainingFile): Promise<JobRecord> {
  let job = await deps.store.getJob(jobId);
  if (!job) throw new JobActionError(`no job ${jobId}`);
  if (job.phase !== 'starting') return job;
  try {
    if (!job.messageTs) {
      const ts = await deps.notifier.post(job);
      job = (await deps.store.updateJob(job.id, { messageTs: ts })) ?? job;
    }
    const provider = providerOf(deps, job.provider);
    if (!job.request.trainingFileId) {
      const source = file ?? (job.request.slackFile ? deps.openSlackFile?.(job.request.slackFile) : undefined);
      if (!source) throw new JobActionError(`job ${job.id} has neither a provider file id nor a file to upload`);
      const ref = await provider.prepare(source);
      const { slackFile: _uploaded, ...rest } = job.request;
      const uploaded = await deps.store.updateJob(
        job.id,
        { request: { ...rest, trainingFileId: ref.id, trainingFileName: source.name } },
        ['starting'],
      );
      if (!uploaded) return (await deps.store.getJob(job.id)) ?? job; // cancelled during the upload
      job = uploaded;
    }
    const ref = await startWithRetries(deps, provider, jobSpec(job));
    const started = await deps.store.updateJob(
      job.id,
      { providerJobId: ref.id, phase: 'validating', providerStatus: 'validating_files' },
      ['starting'],
    );
    if (!started) {
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
    return failJob(deps, job, cannotReachChannel(error) ? CHANNEL_UNREACHABLE : asJobError(error));
  }
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
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS * attempt));
    }
  }
}

const START_ATTEMPTS = 3;
const START_RETRY_MS = 1_000;

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
 * Posts a job's ending once. A failed post gives its claim back, and the monitor retries endings
 * without one, so a Slack hiccup after a Cancel does not leave the message saying "running".
 */
export async function announceEnd(deps: LifecycleDeps, job: JobRecord, points: LossPoint[]): Promise<void> {
  if (!(await deps.store.claimAnnouncement(job.id, 'finished'))) return;
  try {
    await deps.notifier.finished(job, points);
  } catch (error) {
    if (!cannotReachChannel(error)) await deps.store.releaseAnnouncement(job.id, 'finished');
    deps.logger.warn({ err: error, job: job.id }, 'could not post how a job ended; the monitor will try again');
  }
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
  if (job.providerJobId) {
    await providerOf(deps, job.provider).cancel({ provider: job.provider, id: job.providerJobId });
  }
  const at = deps.now().toISOString();
  const cancelled = await deps.store.updateJob(
    job.id,
    {
      phase: 'cancelled',
      finishedAt: at,
      lastEditAt: at,
      error: { code: 'cancelled', message: `Cancelled by <@${by}>.` },
      // Nothing is billed before training starts; a running job's cost is what it trained (unknown here).
      ...(job.phase === 'running' ? {} : { actualUsd: 0 }),
    },
    [...ACTIVE_PHASES, 'awaiting_approval'],
  );
  if (!cancelled) throw new JobActionError(`job ${job.id} ended while it was being cancelled`);
  await announceEnd(deps, cancelled, await deps.store.lossPoints(cancelled.id));
  return cancelled;
}

/**
 * After a restart: jobs left in `starting` are started again (start is idempotent on our id, so a
 * job the provider already has is found, not duplicated; an upload cut off is read again from
 * Slack). A job whose file can no longer be had is ended with a plain reason.
 */
export async function resumeStartingJobs(deps: LifecycleDeps): Promise<void> {
  const jobs = await deps.store.listActiveJobs().catch(() => []);
  for (const job of jobs) {
    if (job.phase !== 'starting') continue;
    try {
      if (job.request.trainingFileId || (job.request.slackFile && deps.openSlackFile)) {
        await startJob(deps, job.id);
      } else {
        await failJob(deps, job, {
          code: 'interrupted',
          message: 'The bot restarted while it was uploading the training file, so the job never started.',
          hint: 'Start it again with /finetune start; nothing was billed.',
        });
      }
    } catch (error) {
      deps.logger.warn({ err: error, job: job.id }, 'could not resume a job that was starting');
    }
  }
}
