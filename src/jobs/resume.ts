import { type ApprovalDeps, approvalRequested, requestApproval } from './approval-request.ts';
import { failJob, startJob } from './lifecycle.ts';

/** How long a job may wait for its approvers' DMs to go out before the bot stops trying. */
const RETRY_APPROVAL_FOR_MS = 24 * 3600 * 1000;
/** How long a job may wait for Slack to take its message before it is given up (nothing was billed). */
const RETRY_MESSAGE_FOR_MS = 3600 * 1000;

const NEVER_POSTED = {
  code: 'slack',
  message: 'Slack did not take the job’s message for an hour, so the job was not started.',
  hint: 'Start it again with /finetune start; nothing was billed.',
};

/**
 * Jobs a crash left half-way: `starting` ones are started again (each step is idempotent: the
 * message is looked up before it is posted again, an unrecorded upload is deleted, the provider job
 * is found by our id), and `awaiting_approval` ones get the rest of their approval request. A job
 * touched within the notice lease may still be in another process's hands and is left for a later
 * tick; one this process is working on is never touched. Runs at the start of each monitor tick.
 * With replicas, a job is resumed only by the one that takes its lease (`job:<id>`, the monitor's):
 * two replicas must never start one job side by side.
 */
export async function resumeJobs(deps: ApprovalDeps, lease?: { owner: string; ttlMs: number }): Promise<void> {
  const at = deps.now().getTime();
  const quietSince = new Date(at - deps.notices.leaseMs).toISOString();
  const askSince = new Date(at - RETRY_APPROVAL_FOR_MS).toISOString();
  const postSince = new Date(at - RETRY_MESSAGE_FOR_MS).toISOString();
  const jobs = await deps.store.listJobsInPhases(['starting', 'awaiting_approval']);
  for (const job of jobs) {
    if (deps.notices.busy(job.id) || job.updatedAt > quietSince) continue;
    try {
      if (lease && !(await deps.store.tryLease(`job:${job.id}`, lease.owner, lease.ttlMs))) continue;
      if (!job.messageTs && job.createdAt < postSince) {
        await failJob(deps, job, NEVER_POSTED);
      } else if (job.phase === 'awaiting_approval') {
        if (job.createdAt >= askSince && !(await approvalRequested(deps, job))) await requestApproval(deps, job.id);
      } else if (job.request.trainingFileId || (job.request.slackFile && deps.openSlackFile)) {
        await startJob(deps, job.id);
      } else {
        await failJob(deps, job, {
          code: 'interrupted',
          message: 'The bot restarted while it was uploading the training file, so the job never started.',
          hint: 'Start it again with /finetune start; nothing was billed.',
        });
      }
    } catch (error) {
      deps.logger.warn({ err: error, job: job.id }, 'could not resume an interrupted job');
    }
  }
}
