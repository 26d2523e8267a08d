/**
 * A modal's private_metadata: the channel its command ran in, where the answer is posted. Versioned
 * so a modal opened before an upgrade and submitted after it is still understood (or refused).
 */
export interface ChannelMetadata {
  channelId: string;
  /** Set when the modal was opened from an advisor recommendation (its session id). */
  adviceId?: string;
}

export function encodeChannelMetadata(meta: ChannelMetadata): string {
  return JSON.stringify({ v: 1, channel: meta.channelId, ...(meta.adviceId ? { advice: meta.adviceId } : {}) });
}

/** undefined when the metadata is missing or not ours: the caller then answers in a DM. */
export function decodeChannelMetadata(raw: string | undefined): ChannelMetadata | undefined {
  try {
    const parsed = JSON.parse(raw ?? '') as { v?: unknown; channel?: unknown; advice?: unknown };
    if (parsed.v === 1 && typeof parsed.channel === 'string' && /^[A-Z0-9]{2,}$/.test(parsed.channel)) {
      return {
        channelId: parsed.channel,
        ...(typeof parsed.advice === 'string' && /^[0-9a-f-]{36}$/.test(parsed.advice)
          ? { adviceId: parsed.advice }
          : {}),
      };
    }
  } catch {}
  return undefined;
}
