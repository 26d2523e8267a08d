import type { RespondFn, webApi } from '@slack/bolt';
import { whyNotAllowedToStart } from '../../src/jobs/access.ts';
import { providerChoices } from '../../src/jobs/choices.ts';
import type { ProviderId } from '../../src/providers/types.ts';
import type { Services } from '../../src/services.ts';
import { type AttachedFile, encodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { jobStartView } from '../../src/slack/job-view.ts';
import type { JobRequest } from '../../src/store/types.ts';
import { withDeadline } from '../after-ack.ts';

/**
 * Opens the job modal for `/finetune start` and the buttons that lead to it (a recommendation, a
 * validation report, a failed job): the configured providers only, pre-filled with what they say.
 * A person who may not start jobs is told so instead, before filling in anything.
 */
export async function openStartModal(
  services: Services,
  client: webApi.WebClient,
  triggerId: string,
  channelId: string,
  userId: string,
  respond: RespondFn,
  prefill?: {
    provider?: ProviderId;
    request?: Partial<JobRequest>;
    adviceId?: string;
    file?: AttachedFile;
    notes?: string[];
    /** Open on the first provider that lists this model, with it selected; ignored where none does. */
    preferModel?: string;
  },
): Promise<void> {
  const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
  const refused = whyNotAllowedToStart(services.jobs.policy, userId);
  if (refused) {
    await tell(refused);
    return;
  }
  const providers = await providerChoices(services.jobs.providers);
  const wanted = prefill?.preferModel;
  const tunes = wanted ? providers.find((p) => p.models.some((m) => m.id === wanted)) : undefined;
  const selected = prefill?.provider ?? tunes?.id;
  try {
    await withDeadline(
      client.views.open({
        trigger_id: triggerId,
        view: jobStartView({
          providers,
          ...(selected ? { selected } : {}),
          prefill: { ...(tunes && wanted ? { model: wanted } : {}), ...prefill?.request, channelId },
          ...(prefill?.file ? { attachedFile: prefill.file } : {}),
          ...(prefill?.notes?.length ? { notes: prefill.notes } : {}),
          metadata: encodeChannelMetadata({
            channelId,
            ...(prefill?.adviceId ? { adviceId: prefill.adviceId } : {}),
            ...(prefill?.file ? { file: prefill.file } : {}),
          }),
        }),
      }),
      services.triggerDeadlineMs,
    );
  } catch (error) {
    services.logger.warn({ err: error, user: userId }, 'could not open the job form');
    await tell('Slack did not let me open the job form in time. Please try again.');
  }
}
