import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { costPrefillFromAdvice } from '../../src/reports/cost-options.ts';
import type { Services } from '../../src/services.ts';
import { buildCostView } from '../../src/slack/cost-view.ts';
import { ADVICE_GONE } from '../../src/slack/notices.ts';
import { afterAck, withDeadline } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** "Estimate cost" on a recommendation: the cost modal, pre-filled from that advice's answers. */
export function estimateCostClicked(services: Services) {
  return async ({ ack, action, body, client, respond }: Args): Promise<void> => {
    await ack();
    await afterAck();
    const session = await services.store.getAdviceSession(action.value ?? '');
    if (!session) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: ADVICE_GONE }).catch(() => {});
      return;
    }
    const channelId = body.channel?.id ?? session.channelId ?? body.user.id;
    try {
      await withDeadline(
        client.views.open({
          trigger_id: body.trigger_id,
          view: buildCostView(
            { channelId, adviceId: session.id },
            services.prices,
            costPrefillFromAdvice(session, services.prices),
          ),
        }),
        services.triggerDeadlineMs,
      );
    } catch (error) {
      services.logger.warn({ err: error, user: body.user.id }, 'could not open the cost form');
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Slack did not let me open the cost form in time. Please press the button again.',
      }).catch(() => {});
    }
  };
}
