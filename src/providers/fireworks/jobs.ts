import { type JobSnapshot, type JobSpec, ProviderError, type ProviderJobRef, TERMINAL_STATES } from '../types.ts';
import { type FireworksContext, fail, isStatus, toFireworksError } from './client.ts';
import { checkSpec, createBody } from './job-spec.ts';
import { toSnapshot, type WireJob } from './map-job.ts';
import type { BaseModel } from './models.ts';
import { jobIdFor, lastSegment } from './names.ts';

/**
 * Supervised fine-tuning jobs: start (idempotent on our job id), read one or many, cancel.
 * The Fireworks job id is chosen by us (`?supervisedFineTuningJobId=`) from our job id, so a
 * start retried after a lost answer finds its job by a plain GET, and a create that races one
 * meets 409 ALREADY_EXISTS instead of making a second job.
 */

const NOT_FOUND_JOB = 'The job may have been deleted in the Fireworks console.';

export function ref(id: string): ProviderJobRef {
  return { provider: 'fireworks', id: lastSegment(id) };
}

export async function getJob(ctx: FireworksContext, id: string): Promise<WireJob> {
  return ctx.http
    .request<WireJob>({ method: 'GET', path: `/v1/${ctx.names.job(id)}` })
    .catch(fail('read', NOT_FOUND_JOB));
}

/** The job, or undefined when Fireworks has none by that id. */
async function findJob(ctx: FireworksContext, id: string): Promise<WireJob | undefined> {
  try {
    return await ctx.http.request<WireJob>({ method: 'GET', path: `/v1/${ctx.names.job(id)}` });
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw toFireworksError(error);
  }
}

/** A job found by our id is ours only if it trains our dataset: an id met by chance is not. */
function ours(ctx: FireworksContext, job: WireJob, spec: JobSpec): WireJob {
  if (!job.dataset || job.dataset === ctx.names.dataset(spec.trainingFileId)) return job;
  throw new ProviderError(
    'invalid_request',
    `Fireworks already has a job named ${job.name ?? jobIdFor(spec.id)} training another dataset.`,
    { hint: 'Delete that job in the Fireworks console (or start this one again as a new job), then try again.' },
  );
}

export async function startJob(
  ctx: FireworksContext,
  spec: JobSpec,
  checkModel: (model: string) => Promise<BaseModel>,
): Promise<ProviderJobRef> {
  checkSpec(spec);
  const jobId = jobIdFor(spec.id);
  const existing = await findJob(ctx, jobId);
  if (existing) return ref(ours(ctx, existing, spec).name ?? jobId);
  const base = await checkModel(spec.model);
  try {
    // Never retried here: a lost answer could start a second job on another try of the client;
    // the caller's retry of `start` finds this one by its id first.
    const job = await ctx.http.request<WireJob>({
      method: 'POST',
      path: `/v1/${ctx.names.account}/supervisedFineTuningJobs`,
      query: { supervisedFineTuningJobId: jobId },
      json: createBody(spec, jobId, base, ctx.names),
      retry: false,
    });
    return ref(job.name ?? jobId);
  } catch (error) {
    if (!isStatus(error, 409)) throw toFireworksError(error, 'create');
    // Created meanwhile by an earlier try whose answer was lost; or a name clash with something else.
    const raced = await findJob(ctx, jobId);
    if (raced) return ref(ours(ctx, raced, spec).name ?? jobId);
    throw toFireworksError(error, 'create');
  }
}

export interface SnapshotReadOptions {
  /** Up to this many jobs are read one GET each; more, and the account's job list is paged through. */
  directReads?: number;
  /** How many list pages (of 200) to read before asking for the rest one by one. */
  maxPages?: number;
}

/** Many jobs in few calls: GETs for a handful, the list for more; jobs Fireworks lacks are left out. */
export async function readSnapshots(
  ctx: FireworksContext,
  refs: ProviderJobRef[],
  o: SnapshotReadOptions = {},
): Promise<Map<string, JobSnapshot>> {
  const wanted = [...new Set(refs.map((r) => lastSegment(r.id)))];
  const found = new Map<string, JobSnapshot>();
  if (wanted.length > (o.directReads ?? 5)) {
    let pageToken: string | undefined;
    for (let pages = 0; pages < (o.maxPages ?? 5) && found.size < wanted.length; pages++) {
      const page = await ctx.http
        .request<{ supervisedFineTuningJobs?: WireJob[]; nextPageToken?: string }>({
          method: 'GET',
          path: `/v1/${ctx.names.account}/supervisedFineTuningJobs`,
          query: { pageSize: 200, pageToken },
        })
        .catch(fail('read'));
      for (const job of page.supervisedFineTuningJobs ?? []) {
        const id = job.name ? lastSegment(job.name) : undefined;
        if (id && wanted.includes(id)) found.set(id, toSnapshot(job, id));
      }
      pageToken = page.nextPageToken || undefined;
      if (!pageToken) break;
    }
  }
  const rest = wanted.filter((id) => !found.has(id));
  // A few at a time: a monitor round should not burst the account's rate limit.
  for (let i = 0; i < rest.length; i += 4) {
    const batch = rest.slice(i, i + 4);
    const jobs = await Promise.all(batch.map((id) => findJob(ctx, id)));
    batch.forEach((id, n) => {
      const job = jobs[n];
      if (job) found.set(id, toSnapshot(job, id));
    });
  }
  return found;
}

/**
 * Cancels a job. Fireworks' CLI has `supervised-fine-tuning-job cancel`, but its public REST
 * reference lists only create, get, list, delete and `:resume` for these jobs: `:cancel` is tried
 * first (it exists for reinforcement fine-tuning jobs), and where the API has no such route the job
 * is deleted, which stops it as surely (its partial model is lost either way).
 */
export async function cancelJob(ctx: FireworksContext, jobRef: ProviderJobRef): Promise<void> {
  const name = ctx.names.job(jobRef.id);
  try {
    await ctx.http.request({ method: 'POST', path: `/v1/${name}:cancel`, json: {}, retry: true });
    return;
  } catch (error) {
    if (!isStatus(error, 400, 404, 405, 409, 501)) throw toFireworksError(error, 'cancel', NOT_FOUND_JOB);
    // No `:cancel` route, no such job, or one that has already ended: the GET tells which.
    const job = await getJob(ctx, jobRef.id);
    if (TERMINAL_STATES.has(toSnapshot(job, jobRef.id).state)) return;
    if (!isStatus(error, 404, 405, 501)) throw toFireworksError(error, 'cancel', NOT_FOUND_JOB);
  }
  await ctx.http.request({ method: 'DELETE', path: `/v1/${name}` }).catch(fail('cancel', NOT_FOUND_JOB));
}
