import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { deploymentNameFor } from '../../src/jobs/deployment-name.ts';
import { asJobError } from '../../src/jobs/lifecycle.ts';
import type { Services } from '../../src/services.ts';
import { noticeMetadata } from '../../src/slack/job-notice-lookup.ts';
import { deploymentDeletedReply, deployResultReply, parseDeploymentButtonValue } from '../../src/slack/job-thread.ts';
import { afterAck } from '../after-ack.ts';
import { jobInCharge, tellPresser, whyItFailed } from '../shared/job-button.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

const NOT_CONFIGURED =
  'Deploying needs AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP and AZURE_OPENAI_ACCOUNT; ask the bot’s admin to set them.';

/**
 * Deploy (Azure, after the confirm dialog that names the hourly cost): creates the deployment
 * through Azure Resource Manager, waits for it, and says in the thread what it costs while it stands.
 */
export function deployClicked(services: Services) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const deployer = services.jobs.azureDeployer;
    const job = await jobInCharge(services, args, args.action.value, 'deploy');
    if (!job) return;
    if (job.provider !== 'azure' || !job.fineTunedModel || !job.messageTs) {
      await tellPresser(args, 'Only a finished Azure OpenAI job can be deployed from here.');
      return;
    }
    if (!deployer) {
      await tellPresser(args, NOT_CONFIGURED);
      return;
    }
    await tellPresser(args, 'Deploying; this takes a few minutes. I will reply in the job’s thread.');
    const name = deploymentNameFor(job.id);
    const result = await deployer
      .deploy({
        name,
        model: job.fineTunedModel,
        sku: job.request.trainingType === 'developer' ? 'developertier' : 'standard',
      })
      .then(() => ({ ok: true as const, jobId: job.id, deploymentName: name, by: args.body.user.id }))
      .catch((error: unknown) => ({ ok: false as const, jobId: job.id, error: asJobError(error) }));
    await args.client.chat
      .postMessage({
        channel: job.channelId,
        thread_ts: job.messageTs,
        ...deployResultReply(result),
        metadata: noticeMetadata(job.id, 'deploy'),
      })
      .catch((error) => services.logger.warn({ err: error, job: job.id }, 'could not post the deploy result'));
  };
}

/** Delete deployment (after its confirm dialog): hosting stops being billed; the model is kept. */
export function deleteDeploymentClicked(services: Services) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const target = parseDeploymentButtonValue(args.action.value);
    if (!target) {
      await tellPresser(args, 'I no longer know that deployment.');
      return;
    }
    const job = await jobInCharge(services, args, target.jobId, 'undeploy');
    if (!job) return;
    // The name comes from the job, never from the button: only this job's deployment can go, and
    // only an Azure job has one.
    if (job.provider !== 'azure' || !job.messageTs || target.deploymentName !== deploymentNameFor(job.id)) {
      await tellPresser(args, 'I no longer know that deployment.');
      return;
    }
    if (!services.jobs.azureDeployer) {
      await tellPresser(args, NOT_CONFIGURED);
      return;
    }
    try {
      await services.jobs.azureDeployer.delete(target.deploymentName);
    } catch (error) {
      await tellPresser(args, `I could not delete the deployment. ${whyItFailed(error)}`);
      return;
    }
    await args.client.chat
      .postMessage({
        channel: job.channelId,
        thread_ts: job.messageTs,
        ...deploymentDeletedReply(target.deploymentName, args.body.user.id),
        metadata: noticeMetadata(job.id, 'undeploy'),
      })
      .catch(() => {});
  };
}
