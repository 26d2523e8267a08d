import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { parseAnswers } from '../../src/advisor/questionnaire.ts';
import { recommend } from '../../src/advisor/recommend.ts';
import type { Services } from '../../src/services.ts';
import { postToChannelOrDm } from '../../src/slack/deliver.ts';
import { ADVICE_NOT_SAVED } from '../../src/slack/notices.ts';
import { decodeAdviseMetadata, readQuestionnaireState } from '../../src/slack/questionnaire-view.ts';
import { buildRecommendationMessage } from '../../src/slack/recommendation-message.ts';
import { afterAck } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/** The questionnaire's submit: field errors back into the modal, or a recommendation in the channel. */
export function adviseSubmitted(services: Services) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const parsed = parseAnswers(readQuestionnaireState(view.state.values));
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors as Record<string, string> });
      return;
    }
    await ack();
    await afterAck();

    const userId = body.user.id;
    const channelId = decodeAdviseMetadata(view.private_metadata)?.channelId;
    const log = services.logger.child({ user: userId, channel: channelId });
    const recommendation = recommend(parsed.answers, services.now());

    let session: Awaited<ReturnType<Services['store']['saveAdviceSession']>>;
    try {
      session = await services.store.saveAdviceSession({
        teamId: body.team?.id ?? body.user.team_id ?? '',
        userId,
        channelId: channelId ?? null,
        answers: parsed.answers,
        recommendation,
      });
    } catch (error) {
      // The store is the record of what was advised; a post without it could not be found again.
      log.error({ err: error }, 'could not save the advice session');
      await client.chat.postMessage({ channel: userId, text: ADVICE_NOT_SAVED }).catch(() => {});
      return;
    }

    try {
      const delivery = await postToChannelOrDm(client, { channelId, userId }, (note) =>
        buildRecommendationMessage(session, note),
      );
      await services.store.recordDelivery(session.id, delivery);
      if (delivery.via === 'failed')
        log.warn({ advice: session.id, note: delivery.note }, 'recommendation not delivered');
      else
        log.info(
          { advice: session.id, verdict: recommendation.verdict, via: delivery.via },
          'recommendation delivered',
        );
    } catch (error) {
      log.error({ err: error, advice: session.id }, 'could not deliver the recommendation');
      await services.store.recordDelivery(session.id, { via: 'failed', note: 'Slack did not answer' }).catch(() => {});
    }
  };
}
