import type { JobsConfig } from '../config/jobs.ts';

/**
 * Who may do what with jobs, decided here only and always from the acting user id Slack signed —
 * never from what a message or a button value says. Each check returns undefined when allowed, or
 * the reason in words for the person (shown to them alone).
 */

type StartPolicy = Pick<JobsConfig, 'allowedUsers' | 'allowedChannels'>;
type ChargePolicy = Pick<JobsConfig, 'approvers' | 'admins'>;

interface JobOwnership {
  id: string;
  teamId: string;
  channelId: string;
  requestedBy: string;
}

/** Where and by whom a command or button was used. */
export interface Actor {
  userId: string;
  /** Undefined when Slack did not say (never for signed interactions; kept for older payloads). */
  teamId: string | undefined;
  /** The conversation the request came from, when there is one. */
  channelId?: string | undefined;
}

/** The things on a job that spend money or change it, with the words for them. */
export type JobAction = 'cancel' | 'deploy' | 'undeploy' | 'try' | 'refresh';

const DOING: Record<JobAction, string> = {
  cancel: 'cancel this job',
  deploy: 'deploy this model',
  undeploy: 'delete this deployment',
  try: 'try this model',
  refresh: 'refresh this job',
};

/**
 * Whether `user` may start a job reporting in `channel` (ALLOWED_USER_IDS / ALLOWED_CHANNEL_IDS;
 * an empty list allows all).
 */
export function whyNotAllowed(policy: StartPolicy, user: string, channel: string): string | undefined {
  if (policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(user)) {
    return 'Only the people listed in ALLOWED_USER_IDS can start fine-tuning jobs here. Ask an admin of this bot.';
  }
  if (policy.allowedChannels.length > 0 && !policy.allowedChannels.includes(channel)) {
    // Plain words: this shows as a modal field error, where Slack renders no channel mentions.
    return 'Jobs may not report in this channel here (ALLOWED_CHANNEL_IDS). Pick one of the allowed channels.';
  }
  return undefined;
}

/** Whether `user` may be refused before the job form opens: only the user allow-list is known then. */
export function whyNotAllowedToStart(policy: StartPolicy, user: string): string | undefined {
  return policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(user)
    ? whyNotAllowed(policy, user, '')
    : undefined;
}

/**
 * Whether `actor` may cancel, deploy, undeploy, try or refresh `job`: the person who started it, an
 * approver, or an admin (ADMIN_USER_IDS). ALLOWED_USER_IDS does not widen this: being allowed to
 * start jobs is not being allowed to stop someone else's.
 */
export function whyNotInCharge(
  policy: ChargePolicy,
  job: JobOwnership,
  actor: Actor,
  action: JobAction,
): string | undefined {
  if (actor.teamId !== undefined && actor.teamId !== job.teamId) return 'That job belongs to another workspace.';
  if (action === 'refresh') return whyHidden(policy, job, actor);
  if (actor.userId === job.requestedBy || isApprover(policy, actor.userId) || isAdmin(policy, actor.userId)) {
    return undefined;
  }
  return `Only <@${job.requestedBy}> (who started it), an approver or an admin of this bot can ${DOING[action]}.`;
}

/**
 * Whether `actor` may see a job's status (`/finetune status`, Details, Refresh). A job reports in
 * one channel, which may be private: it is shown there, to its requester, and to those in charge.
 */
export function whyHidden(policy: ChargePolicy, job: JobOwnership, actor: Actor): string | undefined {
  if (actor.teamId !== undefined && actor.teamId !== job.teamId) return 'That job belongs to another workspace.';
  if (actor.channelId === job.channelId || actor.userId === job.requestedBy) return undefined;
  if (isApprover(policy, actor.userId) || isAdmin(policy, actor.userId)) return undefined;
  return `Job ${job.id} reports in another channel; run \`/finetune status ${job.id}\` there.`;
}

/** Whether `user` may approve or reject a job waiting for approval. */
export function whyNotApprover(policy: Pick<JobsConfig, 'approvers'>, user: string): string | undefined {
  return isApprover(policy, user) ? undefined : 'Only the approvers named in APPROVER_USER_IDS can decide on this job.';
}

const isApprover = (policy: Pick<JobsConfig, 'approvers'>, user: string) => policy.approvers.includes(user);
const isAdmin = (policy: Pick<JobsConfig, 'admins'>, user: string) => policy.admins.includes(user);
