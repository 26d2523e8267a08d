import type { JobsConfig } from '../config-jobs.ts';

type Policy = Pick<JobsConfig, 'allowedUsers' | 'allowedChannels'>;

/**
 * Whether `user` may start a job reporting in `channel` (ALLOWED_USER_IDS / ALLOWED_CHANNEL_IDS;
 * an empty list allows all). Undefined when allowed, else the reason in words for the person.
 */
export function whyNotAllowed(policy: Policy, user: string, channel: string): string | undefined {
  if (policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(user)) {
    return 'Only the people listed in ALLOWED_USER_IDS can start fine-tuning jobs here. Ask an admin of this bot.';
  }
  if (policy.allowedChannels.length > 0 && !policy.allowedChannels.includes(channel)) {
    // Plain words: this shows as a modal field error, where Slack renders no channel mentions.
    return 'Jobs may not report in this channel here (ALLOWED_CHANNEL_IDS). Pick one of the allowed channels.';
  }
  return undefined;
}

/**
 * Whether `user` (of workspace `teamId`) may cancel, deploy or undeploy `job`: the person who
 * started it, an approver, or — when ALLOWED_USER_IDS is set — someone on it; anyone in the
 * workspace otherwise, as for starting jobs. Undefined when allowed, else the reason.
 */
export function whyNotInCharge(
  policy: Pick<JobsConfig, 'allowedUsers' | 'approvers'>,
  job: { teamId: string; requestedBy: string },
  user: string,
  teamId: string | undefined,
): string | undefined {
  if (teamId !== undefined && teamId !== job.teamId) return 'That job belongs to another workspace.';
  if (user === job.requestedBy || policy.approvers.includes(user)) return undefined;
  if (policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(user)) {
    return 'Only the person who started this job, an approver, or someone in ALLOWED_USER_IDS can do that.';
  }
  return undefined;
}
