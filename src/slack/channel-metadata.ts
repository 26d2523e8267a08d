import { z } from 'zod';
import { SLACK_LIMITS } from './payloads.ts';

/**
 * A modal's private_metadata: the channel its command ran in, where the answer is posted. Versioned
 * so a modal opened before an upgrade and submitted after it is still understood (or refused).
 */
export interface ChannelMetadata {
  channelId: string;
  /** Set when the modal was opened from an advisor recommendation (its session id). */
  adviceId?: string;
  /** The Slack file a job form was opened with ("Start a job with this file" on a validation report). */
  file?: AttachedFile;
}

/** A Slack file named by id and name only: its download URL is looked up when it is needed. */
export interface AttachedFile {
  id: string;
  name: string;
}

export const SLACK_FILE_ID = /^F[A-Z0-9]{1,40}$/;
export const FILE_NAME_MAX = 255;
const attachedFile = z.strictObject({
  id: z.string().max(41).regex(SLACK_FILE_ID),
  name: z.string().min(1).max(FILE_NAME_MAX),
});

const CHANNEL_ID = /^[A-Z0-9]{2,40}$/;
const ADVICE_ID = /^[0-9a-f-]{36}$/;

const schema = z.looseObject({
  v: z.literal(1),
  channel: z.string().max(40).regex(CHANNEL_ID),
  // An advice id we cannot read is dropped, not the whole metadata: the channel is what matters.
  advice: z.unknown().optional(),
  file: z.unknown().optional(),
});

export function encodeChannelMetadata(meta: ChannelMetadata): string {
  return JSON.stringify({
    v: 1,
    channel: meta.channelId,
    ...(meta.adviceId ? { advice: meta.adviceId } : {}),
    ...(meta.file ? { file: { id: meta.file.id, name: meta.file.name } } : {}),
  });
}

/** undefined when the metadata is missing or not ours: the caller then answers in a DM. */
export function decodeChannelMetadata(raw: unknown): ChannelMetadata | undefined {
  if (typeof raw !== 'string' || raw.length > SLACK_LIMITS.privateMetadata) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return undefined;
  const { channel, advice } = parsed.data;
  // Like the advice id, a file we cannot read is dropped: the form then asks for an upload.
  const file = attachedFile.safeParse(parsed.data.file);
  return {
    channelId: channel,
    ...(typeof advice === 'string' && ADVICE_ID.test(advice) ? { adviceId: advice } : {}),
    ...(file.success ? { file: file.data } : {}),
  };
}
