import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs, types } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { buildCostView } from '../../src/slack/cost-view.ts';
import { buildHelpMessage } from '../../src/slack/help-message.ts';
import { modalNotOpened } from '../../src/slack/notices.ts';
import { buildQuestionnaireView } from '../../src/slack/questionnaire-view.ts';
import { buildValidateView } from '../../src/slack/validate-view.ts';
import { afterAck, TRIGGER_LIFETIME_MS, withDeadline } from '../after-ack.ts';
import { openStartModal } from '../shared/open-start-modal.ts';
import { jobsReply, statusReply } from './jobs.ts';

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/** Subcommands that answer with a modal, and the modal each opens. */
const MODALS: Record<string, (channelId: string, services: Services) => types.ModalView> = {
  advise: (channelId) => buildQuestionnaireView({ channelId }),
  validate: (channelId) => buildValidateView({ channelId }),
  cost: (channelId, services) => buildCostView({ channelId }, services.prices),
};

/** `/finetune [subcommand]`: routes to the subcommand; help for anything it does not know. */
export function finetuneCommand(services: Services) {
  return async ({ command, ack, client, respond }: Args): Promise<void> => {
    const [sub = '', ...rest] = command.text.trim().split(/\s+/);
    const name = sub.toLowerCase();
    const modal = MODALS[name];
    if (modal) {
      await ack();
      await afterAck();
      try {
        // The trigger_id dies 3 s after the command was sent: open the modal before anything else,
        // and stop waiting when it can no longer work (the client's own timeout is longer).
        await withDeadline(
          client.views.open({ trigger_id: command.trigger_id, view: modal(command.channel_id, services) }),
          TRIGGER_LIFETIME_MS,
        );
      } catch (error) {
        services.logger.warn({ err: error, user: command.user_id, sub: name }, 'could not open a modal');
        await respond({ response_type: 'ephemeral', text: modalNotOpened(command.command, name) }).catch(() => {});
      }
      return;
    }
    if (name === 'start') {
      await ack();
      await afterAck();
      await openStartModal(services, client, command.trigger_id, command.channel_id, command.user_id, respond);
      return;
    }
    if (name === 'jobs' || name === 'status') {
      await ack();
      await afterAck();
      const reply =
        name === 'jobs'
          ? await jobsReply(services, command.team_id, command.channel_id)
          : await statusReply(
              services,
              { teamId: command.team_id, channelId: command.channel_id, userId: command.user_id },
              rest[0],
            );
      await respond({ response_type: 'ephemeral', ...reply }).catch((error) => {
        services.logger.warn({ err: error, sub: name }, 'could not answer a jobs command');
      });
      return;
    }
    if (name === '' || name === 'help') {
      await ack({ response_type: 'ephemeral', ...buildHelpMessage(command.command) });
      return;
    }
    await ack({ response_type: 'ephemeral', ...buildHelpMessage(command.command, [sub, ...rest].join(' ')) });
  };
}
