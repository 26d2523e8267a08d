import type { App } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { ADVISE_CALLBACK_ID } from '../../src/slack/questionnaire-view.ts';
import { adviseSubmitted } from './advise-submitted.ts';

export function register(app: App, services: Services): void {
  app.view(ADVISE_CALLBACK_ID, adviseSubmitted(services));
}
