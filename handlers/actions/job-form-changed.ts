import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { providerChoices } from '../../src/jobs/choices.ts';
import type { Services } from '../../src/services.ts';
import { decodeChannelMetadata, encodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { jobStartView } from '../../src/slack/job-view.ts';
import { jobStartSelection } from '../../src/slack/job-view-parse.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>;

/**
 * The provider (or model) changed in the open job form: re-render it so it asks what that provider
 * offers (its capabilities): the model list or a typed base model, the methods, the Azure tier field,
 * or the LoRA settings and the hosts. The hash makes Slack drop the update if the form changed again.
 * The form's metadata is re-encoded from what was understood, never echoed: a form whose metadata
 * is not ours is left as it is.
 */
export function jobFormChanged(services: Services) {
  return async ({ ack, body, client }: Args): Promise<void> => {
    await ack();
    const view = body.view;
    if (!view) return;
    const meta = decodeChannelMetadata(view.private_metadata);
    if (!meta) {
      services.logger.warn({ user: body.user.id }, 'job form not re-rendered: its metadata is not ours');
      return;
    }
    const selection = jobStartSelection(view.state?.values);
    await client.views
      .update({
        view_id: view.id,
        hash: view.hash,
        view: jobStartView({
          providers: await providerChoices(services.jobs.providers),
          ...(selection.provider ? { selected: selection.provider } : {}),
          prefill: { ...(selection.model ? { model: selection.model } : {}), channelId: meta.channelId },
          ...(meta.file ? { attachedFile: meta.file } : {}),
          metadata: encodeChannelMetadata(meta),
        }),
      })
      .catch((error) => services.logger.debug({ err: error }, 'job form not re-rendered'));
  };
}
