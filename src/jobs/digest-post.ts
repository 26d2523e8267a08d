import type { webApi } from '@slack/bolt';
import { digestMessage } from '../slack/digest-message.ts';
import type { Store } from '../store/types.ts';
import { digestData } from './digest.ts';

/**
 * The weekly digest, posted by the DIGEST_CRON schedule. Every replica runs the schedule; the one
 * that claims the run's minute in the store posts, the others find it taken: one digest per run,
 * not one per replica. A replica that dies between its claim and its post loses that one digest
 * (the next run posts again) — a week's figures are read again then, nothing is lost for good.
 */
export async function postDigest(
  deps: { store: Store; now: () => Date; client: webApi.WebClient },
  channel: string,
): Promise<boolean> {
  const now = deps.now();
  if (!(await deps.store.claimRequest(digestKey(channel, now)))) return false;
  const data = await digestData(deps.store, now);
  await deps.client.chat.postMessage({ channel, ...digestMessage(data) });
  return true;
}

/** The run a cron tick belongs to: its channel and its minute (replicas fire within the same one). */
export function digestKey(channel: string, at: Date): string {
  return `digest:${channel}:${at.toISOString().slice(0, 16)}`;
}
