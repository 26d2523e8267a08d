import type { App, Middleware, SlackAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { START_JOB_FROM_COST_ACTION_ID } from '../../src/slack/cost-message.ts';
import { START_WITH_FILE_ACTION_ID } from '../../src/slack/file-start.ts';
import { HOME_ACTIONS, HOME_OPEN_ACTION_ID } from '../../src/slack/home-view.ts';
import {
  JOB_APPROVE_ACTION_ID,
  JOB_CANCEL_ACTION_ID,
  JOB_DELETE_DEPLOYMENT_ACTION_ID,
  JOB_DEPLOY_ACTION_ID,
  JOB_DETAILS_ACTION_ID,
  JOB_MODEL_ACTION_ID,
  JOB_PROVIDER_ACTION_ID,
  JOB_REFRESH_ACTION_ID,
  JOB_REJECT_ACTION_ID,
  JOB_RETRY_ACTION_ID,
  JOB_TRY_ACTION_ID,
} from '../../src/slack/job-ids.ts';
import { ESTIMATE_COST_ACTION_ID, START_JOB_ACTION_ID } from '../../src/slack/recommendation-message.ts';
import { ackUnhandled, anyIdBut } from '../guard.ts';
import { estimateCostClicked } from './estimate-cost.ts';
import { homeOpenClicked } from './home-open.ts';
import { approvalClicked } from './job-approval.ts';
import { cancelClicked, detailsClicked, refreshClicked } from './job-buttons.ts';
import { deleteDeploymentClicked, deployClicked } from './job-deploy.ts';
import { jobFormChanged } from './job-form-changed.ts';
import { retryClicked } from './job-retry.ts';
import { tryClicked } from './job-try.ts';
import { startJobFromAdviceClicked } from './start-job-from-advice.ts';
import { startJobFromCostClicked } from './start-job-from-cost.ts';
import { startJobWithFileClicked } from './start-job-with-file.ts';

/** One row of the table: the action id and how to make its listener, typed per action. */
function on<A extends SlackAction>(
  id: string,
  listener: (services: Services) => Middleware<SlackActionMiddlewareArgs<A>>,
) {
  return { id, register: (app: App, services: Services) => app.action<A>(id, listener(services)) };
}

/** Every action id this app puts on a button or select, and its listener. */
export const ACTIONS = [
  on(ESTIMATE_COST_ACTION_ID, estimateCostClicked),
  on(START_JOB_ACTION_ID, startJobFromAdviceClicked),
  on(START_JOB_FROM_COST_ACTION_ID, startJobFromCostClicked),
  on(START_WITH_FILE_ACTION_ID, startJobWithFileClicked),
  on(JOB_PROVIDER_ACTION_ID, jobFormChanged),
  on(JOB_MODEL_ACTION_ID, jobFormChanged),
  on(JOB_CANCEL_ACTION_ID, cancelClicked),
  on(JOB_REFRESH_ACTION_ID, refreshClicked),
  on(JOB_DETAILS_ACTION_ID, detailsClicked),
  on(JOB_APPROVE_ACTION_ID, (services) => approvalClicked(services, 'approved')),
  on(JOB_REJECT_ACTION_ID, (services) => approvalClicked(services, 'rejected')),
  on(JOB_TRY_ACTION_ID, tryClicked),
  on(JOB_DEPLOY_ACTION_ID, deployClicked),
  on(JOB_DELETE_DEPLOYMENT_ACTION_ID, deleteDeploymentClicked),
  on(JOB_RETRY_ACTION_ID, retryClicked),
  ...HOME_ACTIONS.map((a) => on(`${HOME_OPEN_ACTION_ID}_${a.value}`, homeOpenClicked)),
];

export function register(app: App, services: Services): void {
  for (const action of ACTIONS) action.register(app, services);
  // Link buttons and anything else no row handles: acked once, so Slack shows no error.
  app.action(anyIdBut(ACTIONS.map((a) => a.id)), ackUnhandled(services.logger, 'action'));
}
