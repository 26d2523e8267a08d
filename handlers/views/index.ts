import type { App } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { COST_CALLBACK_ID } from '../../src/slack/cost-view.ts';
import { ADVISE_CALLBACK_ID } from '../../src/slack/questionnaire-view.ts';
import { VALIDATE_CALLBACK_ID } from '../../src/slack/validate-view.ts';
import { adviseSubmitted } from './advise-submitted.ts';
import { costSubmitted } from './cost-submitted.ts';
import { validateSubmitted } from './validate-submitted.ts';

export function register(app: App, services: Services): void {
  app.view(ADVISE_CALLBACK_ID, adviseSubmitted(services));
  app.view(VALIDATE_CALLBACK_ID, validateSubmitted(services));
  app.view(COST_CALLBACK_ID, costSubmitted(services));
}
