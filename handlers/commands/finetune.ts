import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { buildHelpMessage } from '../../src/slack/help-message.ts';
import { modalNotOpened } from '../../src/slack/notices.ts';
import { afterAck } from '../after-ack.ts';
import { jobsReply, statusReply } from '../shared/job-replies.ts';
import { MODALS, openModal } from '../shared/open-modal.ts';
import { openStartModal } from '../shared/open-start-modal.ts';

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/** `/finetune [subcommand]`: routes to the subcommand; help for anything it does not know. */
export function finetuneCommand(services: Services) {
  return async ({ command, ack, client, respond }: Args): Promise<void> => {
    const [sub = '', ...rest] = command.text.trim().split(/\s+/);
    const name = sub.toLowerCase();
    if (MODALS[name]) {
      await ack();
      await afterAck();
      // The trigger_id dies 3 s after the command was sent: the modal opens before anything else.
      if (!(await openModal(services, client, name, command.trigger_id, command.channel_id))) {
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
