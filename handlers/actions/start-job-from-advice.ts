import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { findModel } from '../../src/data/models.ts';
import type { Services } from '../../src/services.ts';
import { ADVICE_GONE } from '../../src/slack/notices.ts';
import { afterAck } from '../after-ack.ts';
import { openStartModal } from '../shared/open-start-modal.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * "Start a job" on a recommendation: the job form, pre-filled with the suggested provider and model
 * when that provider is configured here. A provider that takes any base model (the GPU hosts'
 * hub ids) gets the suggestion as typed; one with a list gets it only when the list has it.
 */
export function startJobFromAdviceClicked(services: Services) {
  return async ({ ack, action, body, client, respond }: Args): Promise<void> => {
    await ack();
    await afterAck();
    const session = await services.store.getAdviceSession(action.value ?? '');
    if (!session) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: ADVICE_GONE }).catch(() => {});
      return;
    }
    const suggestion = session.recommendation.provider;
    const configured = suggestion ? services.jobs.providers[suggestion.provider] : undefined;
    const provider = configured ? suggestion?.provider : undefined;
    const model =
      suggestion?.model && configured?.capabilities.baseModel === 'free'
        ? suggestion.model
        : suggestion?.model
          ? findModel(suggestion.model)?.id
          : undefined;
    await openStartModal(
      services,
      client,
      body.trigger_id,
      body.channel?.id ?? session.channelId ?? body.user.id,
      body.user.id,
      respond,
      {
        ...(provider ? { provider } : {}),
        request: model ? { model } : {},
        adviceId: session.id,
      },
    );
  };
}
