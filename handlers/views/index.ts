import type { App, Middleware, SlackViewAction, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { COST_CALLBACK_ID } from '../../src/slack/cost-view.ts';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID, JOB_TRY_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { ADVISE_CALLBACK_ID } from '../../src/slack/questionnaire-view.ts';
import { VALIDATE_CALLBACK_ID } from '../../src/slack/validate-view.ts';
import { trySubmitted } from '../actions/job-try.ts';
import { ackUnhandled, anyIdBut } from '../guard.ts';
import { adviseSubmitted } from './advise-submitted.ts';
import { costSubmitted } from './cost-submitted.ts';
import { jobReviewSubmitted } from './job-review-submitted.ts';
import { jobStartSubmitted } from './job-start-submitted.ts';
import { validateSubmitted } from './validate-submitted.ts';

/** One row of the table: a modal's callback id and how to make its submit listener. */
function on<V extends SlackViewAction>(
  id: string,
  listener: (services: Services) => Middleware<SlackViewMiddlewareArgs<V>>,
) {
  return { id, register: (app: App, services: Services) => app.view<V>(id, listener(services)) };
}

/** Every modal this app opens, and what its submit does. */
export const VIEWS = [
  on(ADVISE_CALLBACK_ID, adviseSubmitted),
  on(VALIDATE_CALLBACK_ID, validateSubmitted),
  on(COST_CALLBACK_ID, costSubmitted),
  on(JOB_START_CALLBACK_ID, jobStartSubmitted),
  on(JOB_REVIEW_CALLBACK_ID, jobReviewSubmitted),
  on(JOB_TRY_CALLBACK_ID, trySubmitted),
];

export function register(app: App, services: Services): void {
  for (const view of VIEWS) view.register(app, services);
  const unhandled = ackUnhandled(services.logger, 'view');
  // A submit from a modal of an older release (or a forged one) is acked, which closes it.
  app.view(anyIdBut(VIEWS.map((v) => v.id)), unhandled);
  // No modal asks for notify_on_close, so any view_closed is one nobody listens for.
  app.view({ type: 'view_closed', callback_id: /(?:)/ }, unhandled);
}
