import type { JobRecord, Store } from '../store/types.ts';
import { whyNotApprover } from './access.ts';
import { JobActionError } from './lifecycle.ts';

export interface ApprovalPolicy {
  maxJobUsd?: number;
  approvers: string[];
}

/** Whether a job estimated at `estimateUsd` must wait for an approver. An unknown estimate is not waved through. */
export function needsApproval(policy: ApprovalPolicy, estimateUsd: number | null): boolean {
  if (policy.maxJobUsd === undefined) return false;
  return estimateUsd === null || estimateUsd > policy.maxJobUsd;
}

/**
 * Records an approver's decision on a waiting job, once: the first decision wins (two approvers
 * clicking at once cannot both act), and only listed approvers decide. Approved jobs go on to
 * `starting`; the caller starts them.
 */
export async function decide(
  store: Store,
  policy: ApprovalPolicy,
  jobId: string,
  by: string,
  decision: 'approved' | 'rejected',
  now: Date,
  /** The presser's workspace, when Slack said: a job of another workspace is not theirs to decide. */
  teamId?: string,
): Promise<JobRecord> {
  const refused = whyNotApprover(policy, by);
  if (refused) throw new JobActionError(refused);
  const job = await store.getJob(jobId);
  if (!job || (teamId !== undefined && job.teamId !== teamId)) throw new JobActionError(`There is no job ${jobId}.`);
  const at = now.toISOString();
  const updated = await store.updateJob(
    job.id,
    {
      approval: { decision, by, at },
      phase: decision === 'approved' ? 'starting' : 'rejected',
      ...(decision === 'rejected' ? { finishedAt: at } : {}),
    },
    ['awaiting_approval'],
  );
  if (!updated) {
    const current = await store.getJob(job.id);
    const who = current?.approval ? ` by <@${current.approval.by}>` : '';
    throw new JobActionError(`This job was already decided${who}.`);
  }
  return updated;
}
