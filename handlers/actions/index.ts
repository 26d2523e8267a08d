import type { App } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
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
  JOB_TRY_ACTION_ID,
} from '../../src/slack/job-ids.ts';
import { ESTIMATE_COST_ACTION_ID, START_JOB_ACTION_ID } from '../../src/slack/recommendation-message.ts';
import { estimateCostClicked } from './estimate-cost.ts';
import { approvalClicked } from './job-approval.ts';
import { cancelClicked, detailsClicked, refreshClicked } from './job-buttons.ts';
import { deleteDeploymentClicked, deployClicked } from './job-deploy.ts';
import { jobFormChanged } from './job-form-changed.ts';
import { tryClicked } from './job-try.ts';
import { startJobFromAdviceClicked } from './start-job-from-advice.ts';

export function register(app: App, services: Services): void {
  app.action(ESTIMATE_COST_ACTION_ID, estimateCostClicked(services));
  app.action(START_JOB_ACTION_ID, startJobFromAdviceClicked(services));
  app.action(JOB_PROVIDER_ACTION_ID, jobFormChanged(services));
  app.action(JOB_MODEL_ACTION_ID, jobFormChanged(services));
  app.action(JOB_CANCEL_ACTION_ID, cancelClicked(services));
  app.action(JOB_REFRESH_ACTION_ID, refreshClicked(services));
  app.action(JOB_DETAILS_ACTION_ID, detailsClicked(services));
  app.action(JOB_APPROVE_ACTION_ID, approvalClicked(services, 'approved'));
  app.action(JOB_REJECT_ACTION_ID, approvalClicked(services, 'rejected'));
  app.action(JOB_TRY_ACTION_ID, tryClicked(services));
  app.action(JOB_DEPLOY_ACTION_ID, deployClicked(services));
  app.action(JOB_DELETE_DEPLOYMENT_ACTION_ID, deleteDeploymentClicked(services));
}
