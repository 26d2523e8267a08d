import type { RespondFn, webApi } from '@slack/bolt';
import { whyNotAllowedToStart } from '../../src/jobs/access.ts';
import { providerChoices } from '../../src/jobs/choices.ts';
import type { ProviderId } from '../../src/providers/types.ts';
import type { Services } from '../../src/services.ts';
import { encodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { jobStartView } from '../../src/slack/job-view.ts';
import type { JobRequest } from '../../src/store/types.ts';
import { TRIGGER_LIFETIME_MS, withDeadline } from '../after-ack.ts';

/**
 * Opens the job modal for `/finetune start` and the advisor's "Start a job" button: the configured
 * providers only, pre-filled when the advice says which. A person who may not start jobs is told
 * so instead, before filling in anything.
 */
export async function openStartModal(
  services: Services,
  client: webApi.WebClient,
  triggerId: string,
  channelId: string,
  userId: string,
  respond: RespondFn,
  prefill?: { provider?: ProviderId; request?: Partial<JobRequest>; adviceId?: string },
): Promise<void> {
  const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
  const refused = whyNotAllowedToStart(services.jobs.policy, userId);
  if (refused) {
    await tell(refused);
    return;
  }
  const providers = await providerChoices(services.jobs.providers);
  try {
    await withDeadline(
      client.views.open({
        trigger_id: triggerId,
        view: jobStartView({
          providers,
          ...(prefill?.provider ? { selected: prefill.provider } : {}),
          prefill: { ...prefill?.request, channelId },
          metadata: encodeChannelMetadata({ channelId, ...(prefill?.adviceId ? { adviceId: prefill.adviceId } : {}) }),
        }),
      }),
      TRIGGER_LIFETIME_MS,
    );
  } catch (error) {
    services.logger.warn({ err: error, user: userId }, 'could not open the job form');
    await tell('Slack did not let me open the job form in time. Please try again.');
  }
}
