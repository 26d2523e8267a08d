import type { webApi } from '@slack/bolt';
import type { JobRecord } from '../store/types.ts';
import { slackErrorCode } from './deliver.ts';

/**
 * Every message the bot posts about a job carries Slack message metadata naming the job and the
 * notice. After a crash between "claimed" and "confirmed", the notice is looked up here — in the
 * channel for the job's message, in the thread for replies, in the DM for approvals — so it is
 * recorded if Slack has it and posted only if Slack does not.
 */

export const NOTICE_EVENT_TYPE = 'finetune_bot_notice';

export function noticeMetadata(jobId: string, key: string) {
  return { event_type: NOTICE_EVENT_TYPE, event_payload: { job_id: jobId, notice: key } };
}

export const lossCurveFileName = (jobId: string) => `${jobId}-loss.png`;

/** Pages read at most per lookup: a crash is rare, and the notice is near the start of the search. */
const MAX_PAGES = 10;

interface FoundMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  files?: Array<{ name?: string }>;
}

function carries(message: FoundMessage, jobId: string, key: string): boolean {
  const m = message.metadata;
  return m?.event_type === NOTICE_EVENT_TYPE && m.event_payload?.job_id === jobId && m.event_payload?.notice === key;
}

/** Slack's message ts for a moment a little before `iso`: the oldest a job's message can be. */
function tsBefore(iso: string, marginSeconds = 120): string {
  return String(Math.max(0, Math.floor(Date.parse(iso) / 1000) - marginSeconds));
}

async function dmChannel(client: webApi.WebClient, user: string): Promise<string> {
  const res = await client.conversations.open({ users: user });
  const id = res.channel?.id;
  if (!id) throw new Error('Slack did not return the DM channel');
  return id;
}

type Page = { messages?: unknown[]; response_metadata?: { next_cursor?: string } };

/** Reads pages from `read` (history or replies) until a message matches or the pages run out. */
async function search(
  read: (cursor: string | undefined) => Promise<Page>,
  match: (m: FoundMessage) => boolean,
): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await read(cursor);
    const hit = (res.messages as FoundMessage[] | undefined)?.find(match);
    if (hit?.ts) return hit.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

const PAGE = { limit: 200, include_all_metadata: true } as const;

/**
 * The bot posts in public channels it was never invited to (chat:write.public), where it may not
 * read history: it joins such a channel once to look (channels:join), then reads again.
 */
async function readingAsMember<T>(client: webApi.WebClient, channel: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (slackErrorCode(error) !== 'not_in_channel') throw error;
    await client.conversations.join({ channel });
    return read();
  }
}

function searchHistory(client: webApi.WebClient, channel: string, oldest: string, match: (m: FoundMessage) => boolean) {
  return readingAsMember(client, channel, () =>
    search(
      (cursor) => client.conversations.history({ channel, oldest, ...PAGE, ...(cursor ? { cursor } : {}) }),
      match,
    ),
  );
}

function searchThread(client: webApi.WebClient, channel: string, ts: string, match: (m: FoundMessage) => boolean) {
  return readingAsMember(client, channel, () =>
    search((cursor) => client.conversations.replies({ channel, ts, ...PAGE, ...(cursor ? { cursor } : {}) }), match),
  );
}

/** Where notice `key` of `job` would be, and whether Slack has it there: its ts, or undefined. */
export async function findNotice(client: webApi.WebClient, job: JobRecord, key: string): Promise<string | undefined> {
  const oldest = tsBefore(job.createdAt);
  const hasNotice = (m: FoundMessage) => carries(m, job.id, key);
  if (key === 'message') return searchHistory(client, job.channelId, oldest, hasNotice);
  if (key.startsWith('approval:')) {
    return searchHistory(client, await dmChannel(client, key.slice('approval:'.length)), oldest, hasNotice);
  }
  if (!job.messageTs) {
    // Without a message the ending went to the requester by DM.
    return searchHistory(client, await dmChannel(client, job.requestedBy), oldest, hasNotice);
  }
  if (key === 'curve') {
    const name = lossCurveFileName(job.id);
    return searchThread(
      client,
      job.channelId,
      job.messageTs,
      (m) => hasNotice(m) || (m.files ?? []).some((f) => f.name === name),
    );
  }
  return searchThread(client, job.channelId, job.messageTs, hasNotice);
}
