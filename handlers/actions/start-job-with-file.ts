import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { decodeFileStart } from '../../src/slack/file-start.ts';
import { afterAck } from '../after-ack.ts';
import { openStartModal } from '../shared/open-start-modal.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

const NOT_OURS = 'That button is from an older report; run `/finetune validate` again, or `/finetune start`.';

/**
 * "Start a job with this file" on a validation report: the job form, carrying that file (the form
 * says so; uploading another replaces it), on the first provider here that tunes the model the file
 * was checked against, with that model and the epochs chosen for the check.
 */
export function startJobWithFileClicked(services: Services) {
  return async ({ ack, action, body, client, respond }: Args): Promise<void> => {
    await ack();
    await afterAck();
    const start = decodeFileStart(action.value);
    if (!start) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: NOT_OURS }).catch(() => {});
      return;
    }
    await openStartModal(services, client, body.trigger_id, body.channel?.id ?? body.user.id, body.user.id, respond, {
      ...(start.model ? { preferModel: start.model } : {}),
      request: {
        ...(start.epochs !== undefined
          ? { hyperparameters: { nEpochs: start.epochs, batchSize: 'auto', learningRateMultiplier: 'auto' } }
          : {}),
      },
      file: { id: start.fileId, name: start.fileName },
    });
  };
}
