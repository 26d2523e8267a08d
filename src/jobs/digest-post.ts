import type { webApi } from '@slack/bolt';
import { digestMessage } from '../slack/digest-message.ts';
import type { Store } from '../store/types.ts';
import { digestData } from './digest.ts';

/** The weekly digest, posted by the DIGEST_CRON schedule. */
export async function postDigest(
  deps: { store: Store; now: () => Date; client: webApi.WebClient },
  channel: string,
): Promise<void> {
  const data = await digestData(deps.store, deps.now());
  await deps.client.chat.postMessage({ channel, ...digestMessage(data) });
}
