import type { types, webApi } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { buildCostView } from '../../src/slack/cost-view.ts';
import { buildQuestionnaireView } from '../../src/slack/questionnaire-view.ts';
import { buildValidateView } from '../../src/slack/validate-view.ts';
import { withDeadline } from '../after-ack.ts';

/** The modals a person opens from `/finetune <name>` or from the Home tab's buttons, by that name. */
export const MODALS: Record<string, (channelId: string, services: Services) => types.ModalView> = {
  advise: (channelId) => buildQuestionnaireView({ channelId }),
  validate: (channelId) => buildValidateView({ channelId }),
  cost: (channelId, services) => buildCostView({ channelId }, services.prices),
};

/**
 * Opens one of MODALS before the trigger dies (3 s after the click or command), and stops waiting
 * once it could no longer work. Resolves false when Slack did not open it.
 */
export async function openModal(
  services: Services,
  client: webApi.WebClient,
  name: string,
  triggerId: string,
  channelId: string,
): Promise<boolean> {
  const build = MODALS[name];
  if (!build) return false;
  try {
    await withDeadline(
      client.views.open({ trigger_id: triggerId, view: build(channelId, services) }),
      services.triggerDeadlineMs,
    );
    return true;
  } catch (error) {
    services.logger.warn({ err: error, modal: name }, 'could not open a modal');
    return false;
  }
}
