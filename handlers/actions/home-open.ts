import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { afterAck } from '../after-ack.ts';
import { openModal } from '../shared/open-modal.ts';
import { openStartModal } from '../shared/open-start-modal.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * A Home tab button: the modal of its `/finetune` subcommand. The Home tab is no channel, so what
 * the modal reports goes to the person's DMs unless they choose a channel in it; a modal Slack did
 * not open is said in the DMs too (there is no response_url on the Home tab).
 */
export function homeOpenClicked(services: Services) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    await afterAck();
    const user = body.user.id;
    const tell = (text: string) => client.chat.postMessage({ channel: user, text }).catch(() => undefined);
    const name = action.value ?? '';
    if (name === 'start') {
      // openStartModal answers through a RespondFn; here the answer goes to the DMs instead.
      const respond = (async (message: string | { text?: string }) => {
        await tell(typeof message === 'string' ? message : (message.text ?? ''));
      }) as unknown as Parameters<typeof openStartModal>[5];
      await openStartModal(services, client, body.trigger_id, user, user, respond);
      return;
    }
    if (!(await openModal(services, client, name, body.trigger_id, user))) {
      await tell('Slack did not let me open that form in time. Please press the button again.');
    }
  };
}
