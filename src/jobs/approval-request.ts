import type { JobsConfig } from '../config/jobs.ts';
import type { JobError } from '../providers/types.ts';
import type { JobRecord } from '../store/types.ts';
import { trainingRate } from './job-cost.ts';
import { CHANNEL_UNREACHABLE, failJob, JobActionError, type LifecycleDeps, startJob } from './lifecycle.ts';

export type ApprovalDeps = LifecycleDeps & { policy: Pick<JobsConfig, 'approvers'> };

const NOT_POSTED: JobError = {
  code: 'slack',
  message: 'Slack did not take the job’s message, so no approver was asked.',
  hint: 'Try again.',
};

export const approverNotice = (approver: string) => `approval:${approver}`;

/**
 * A job over MAX_JOB_USD: its message goes in the channel (saying it waits for approval), then each
 * approver is asked by DM — each of these once, across restarts. A message Slack refuses ends the
 * job as failed (nobody could approve what nobody was told of); an approver's DM that fails is
 * tried again by the resume loop while the job waits.
 */
export async function requestApproval(deps: ApprovalDeps, jobId: string): Promise<JobRecord> {
  const result = await deps.notices.working(jobId, () => ask(deps, jobId));
  const job = result ?? (await deps.store.getJob(jobId));
  if (!job) throw new JobActionError(`no job ${jobId}`);
  if (result) {
    // Approved while the other approvers were still being asked: that approval's start found the
    // job busy here and left it, so it starts now rather than on a resume after the lease.
    const now = await deps.store.getJob(jobId);
    if (now?.phase === 'starting') return startJob(deps, jobId);
  }
  return job;
}

/**
 * The job with `request.estimatePlaceholder` recorded when its estimate rests on a placeholder
 * rate, so the approvers' message, and the one left once they decide, say the MAX_JOB_USD
 * decision was taken on a placeholder estimate.
 */
async function withEstimateBasis(deps: ApprovalDeps, job: JobRecord): Promise<JobRecord> {
  if (job.estimateUsd === null || job.request.estimatePlaceholder !== undefined || !deps.prices) return job;
  if (trainingRate(job.provider, job.request, deps.prices)?.placeholder !== true) return job;
  const request = { ...job.request, estimatePlaceholder: true };
  return (await deps.store.updateJob(job.id, { request }, ['awaiting_approval'])) ?? { ...job, request };
}

async function ask(deps: ApprovalDeps, jobId: string): Promise<JobRecord | undefined> {
  let job = await deps.store.getJob(jobId);
  if (job?.phase !== 'awaiting_approval') return job;
  job = await withEstimateBasis(deps, job);
  if (!job.messageTs) {
    const current = job;
    const posted = await deps.notices.once(current, 'message', () => deps.notifier.post(current, 'message'));
    if (!posted.out && (posted.why === 'held' || !posted.refused)) return job;
    if (!posted.out || !posted.ts) {
      deps.logger.warn({ job: job.id }, 'could not post a job waiting for approval');
      return failJob(deps, job, posted.out ? CHANNEL_UNREACHABLE : NOT_POSTED);
    }
    job = (await deps.store.updateJob(job.id, { messageTs: posted.ts })) ?? job;
  }
  for (const approver of deps.policy.approvers) {
    const current = job;
    const key = approverNotice(approver);
    const asked = await deps.notices.once(current, key, () => deps.notifier.askApprover(current, approver, key));
    if (!asked.out) deps.logger.warn({ job: job.id, approver }, 'could not ask an approver yet; will try again');
  }
  return job;
}

/** Whether every part of a job's approval request is out (its message, each approver's DM). */
export async function approvalRequested(deps: ApprovalDeps, job: JobRecord): Promise<boolean> {
  if (!job.messageTs) return false;
  for (const approver of deps.policy.approvers) {
    if (!(await deps.store.notice(job.id, approverNotice(approver)))?.sentAt) return false;
  }
  return true;
}
