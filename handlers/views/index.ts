import type { App } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { COST_CALLBACK_ID } from '../../src/slack/cost-view.ts';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID, JOB_TRY_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { ADVISE_CALLBACK_ID } from '../../src/slack/questionnaire-view.ts';
import { VALIDATE_CALLBACK_ID } from '../../src/slack/validate-view.ts';
import { trySubmitted } from '../actions/job-try.ts';
import { adviseSubmitted } from './advise-submitted.ts';
import { costSubmitted } from './cost-submitted.ts';
import { jobReviewSubmitted } from './job-review-submitted.ts';
import { jobStartSubmitted } from './job-start-submitted.ts';
import { validateSubmitted } from './validate-submitted.ts';

export function register(app: App, services: Services): void {
  app.view(ADVISE_CALLBACK_ID, adviseSubmitted(services));
  app.view(VALIDATE_CALLBACK_ID, validateSubmitted(services));
  app.view(COST_CALLBACK_ID, costSubmitted(services));
  app.view(JOB_START_CALLBACK_ID, jobStartSubmitted(services));
  app.view(JOB_REVIEW_CALLBACK_ID, jobReviewSubmitted(services));
  app.view(JOB_TRY_CALLBACK_ID, trySubmitted(services));
}
