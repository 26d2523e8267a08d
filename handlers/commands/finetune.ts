import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { buildHelpMessage } from '../../src/slack/help-message.ts';
import { QUESTIONNAIRE_NOT_OPENED } from '../../src/slack/notices.ts';
import { buildQuestionnaireView } from '../../src/slack/questionnaire-view.ts';
import { afterAck, TRIGGER_LIFETIME_MS, withDeadline } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/** `/finetune [subcommand]`: routes to the subcommand; help for anything it does not know. */
export function finetuneCommand(services: Services) {
  return async ({ command, ack, client, respond }: Args): Promise<void> => {
    const [sub = '', ...rest] = command.text.trim().split(/\s+/);
    switch (sub.toLowerCase()) {
      case 'advise': {
        await ack();
        await afterAck();
        try {
          // The trigger_id dies 3 s after the command was sent: open the modal before anything else,
          // and stop waiting when it can no longer work (the client's own timeout is longer).
          await withDeadline(
            client.views.open({
              trigger_id: command.trigger_id,
              view: buildQuestionnaireView({ channelId: command.channel_id }),
            }),
            TRIGGER_LIFETIME_MS,
          );
        } catch (error) {
          services.logger.warn({ err: error, user: command.user_id }, 'could not open the questionnaire');
          await respond({
            response_type: 'ephemeral',
            text: QUESTIONNAIRE_NOT_OPENED,
          }).catch(() => {});
        }
        return;
      }
      case '':
      case 'help':
        await ack({ response_type: 'ephemeral', ...buildHelpMessage(command.command) });
        return;
      default:
        await ack({ response_type: 'ephemeral', ...buildHelpMessage(command.command, [sub, ...rest].join(' ')) });
    }
  };
}
