import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { retryPrefill } from '../../src/jobs/retry.ts';
import type { Services } from '../../src/services.ts';
import { afterAck } from '../after-ack.ts';
import { openStartModal } from '../shared/open-start-modal.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

const prefillOf = ({ changes, ...rest }: ReturnType<typeof retryPrefill>) => ({ ...rest, notes: changes });

/**
 * "Try again" on a failed job: the start form, filled in from that job (the file chosen again), with
 * what its failure says to change already changed, and said.
 */
export function retryClicked(services: Services) {
  return async ({ ack, action, body, client, respond }: Args): Promise<void> => {
    await ack();
    await afterAck();
    const job = await services.store.getJob(action.value ?? '');
    const channelId = job?.channelId ?? body.channel?.id ?? body.user.id;
    await openStartModal(
      services,
      client,
      body.trigger_id,
      channelId,
      body.user.id,
      respond,
      job ? prefillOf(retryPrefill(job)) : undefined,
    );
  };
}
