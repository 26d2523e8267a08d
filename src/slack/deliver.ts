import type { types, webApi } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import type { Delivery } from '../store/types.ts';

type WebClient = webApi.WebClient;
interface Message {
  text: string;
  blocks: KnownBlock[];
}

/** Slack's error code for a refused Web API call (`not_in_channel`, …), or undefined for anything else. */
export function slackErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; data?: { error?: unknown } };
  return e?.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string' ? e.data.error : undefined;
}

/** Why the channel refused the post, in words a user can act on. */
export function channelRefusal(code: string, channelId: string): string {
  switch (code) {
    case 'not_in_channel':
      return `I could not post in <#${channelId}> because I am not a member. Add me with \`/invite @finetune-bot\` and I will post there next time.`;
    case 'channel_not_found':
      return "I could not post where you ran the command: it is a private channel or a DM that I can't see. Add me to it, or run the command in a channel I'm in.";
    case 'is_archived':
      return `I could not post in <#${channelId}> because it is archived.`;
    case 'restricted_action':
    case 'restricted_action_read_only_channel':
    case 'restricted_action_non_threadable_channel':
      return `Workspace settings do not let me post in <#${channelId}>.`;
    default:
      return `Slack refused my post in <#${channelId}> (${code}).`;
  }
}

/**
 * Posts in the channel; when Slack refuses it there, sends the same message to the user as a DM,
 * headed by the reason, so nobody waits for an answer that never comes. A channel post that fails
 * for any other reason (a timeout, Slack's 5xx after the client's retries) also falls back to the DM;
 * only when that fails the same way is the error thrown, and the caller records it.
 */
export async function postToChannelOrDm(
  client: WebClient,
  target: { channelId: string | undefined; userId: string },
  build: (note?: string) => Message,
): Promise<Delivery> {
  let note = 'I lost track of the channel you asked from, so here is your answer privately.';
  if (target.channelId) {
    try {
      const res = await client.chat.postMessage({ channel: target.channelId, ...build() });
      return { via: 'channel', channelId: target.channelId, messageTs: res.ts ?? '' };
    } catch (error) {
      const code = slackErrorCode(error);
      note = code
        ? channelRefusal(code, target.channelId)
        : `Slack did not take my post in <#${target.channelId}> (it did not answer in time), so here is your answer privately.`;
    }
  }
  try {
    const res = await client.chat.postMessage({ channel: target.userId, ...build(note) });
    return { via: 'dm', channelId: res.channel ?? target.userId, messageTs: res.ts ?? '', note };
  } catch (error) {
    const code = slackErrorCode(error);
    if (!code) throw error;
    return { via: 'failed', note: `${note} The DM failed too (${code}).` };
  }
}
