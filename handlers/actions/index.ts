import type { App } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { ESTIMATE_COST_ACTION_ID } from '../../src/slack/recommendation-message.ts';
import { estimateCostClicked } from './estimate-cost.ts';

export function register(app: App, services: Services): void {
  app.action(ESTIMATE_COST_ACTION_ID, estimateCostClicked(services));
}
