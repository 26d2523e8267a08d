import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { optionLabel } from '../../src/cost/options.ts';
import type { Providers } from '../../src/providers/index.ts';
import { decodeStartValue, startPrefill } from '../../src/reports/cost-start.ts';
import type { Services } from '../../src/services.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import { escapeMrkdwn } from '../../src/slack/text.ts';
import { afterAck } from '../after-ack.ts';
import { openStartModal } from '../shared/open-start-modal.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

const UNREADABLE_START =
  'I could not read that "Start a job" button. Run `/finetune cost` again for a fresh comparison, or `/finetune start` to fill in the job yourself.';

/**
 * "Start a job" under a cost comparison: the job form, pre-filled with the option the button names
 * on the provider it names. Both are checked again, since the comparison may be older than the
 * configuration; a button that no longer reads, or names what cannot be started here, says so and
 * opens nothing.
 */
export function startJobFromCostClicked(services: Services) {
  return async ({ ack, action, body, client, respond }: Args): Promise<void> => {
    await ack();
    await afterAck();
    const tell = (text: string) =>
      respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
    const picked = decodeStartValue(action.value);
    if (!picked) {
      services.logger.warn({ user: body.user.id }, 'unreadable cost "Start a job" value');
      await tell(UNREADABLE_START);
      return;
    }
    const providers: Providers = services.jobs.providers;
    const configured = Object.hasOwn(providers, picked.provider)
      ? providers[picked.provider as keyof Providers]
      : undefined;
    const prefill = configured
      ? await startPrefill(picked.option, { [configured.id]: configured }, services.prices)
      : undefined;
    if (!prefill) {
      await tell(
        `${escapeMrkdwn(optionLabel(picked.option))} cannot be started here any more: its provider is not configured, or no longer offers it. Use \`/finetune start\` to choose another.`,
      );
      return;
    }
    await openStartModal(services, client, body.trigger_id, body.channel?.id ?? body.user.id, body.user.id, respond, {
      provider: prefill.provider,
      request: {
        ...prefill.request,
        ...(prefill.loraMethod ? { lora: { ...LORA_DEFAULTS, method: prefill.loraMethod } } : {}),
      },
    });
  };
}
