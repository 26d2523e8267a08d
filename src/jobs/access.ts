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
