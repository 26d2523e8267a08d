import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { whyNotAllowed } from '../../src/jobs/access.ts';
import { CHANNEL_UNREACHABLE, failJob, startJob } from '../../src/jobs/lifecycle.ts';
import type { Services } from '../../src/services.ts';
import { jobApprovalMessage } from '../../src/slack/job-approval.ts';
import { cannotReachChannel } from '../../src/slack/job-notifier.ts';
import { decodeReviewMetadata } from '../../src/slack/job-review-metadata.ts';
import { jobNoticeView } from '../../src/slack/job-review-view.ts';
import type { JobRequest } from '../../src/store/types.ts';
import { afterAck } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * "Start job" (or "Ask for approval") on the review step: the job is recorded at once and the modal
 * closes; its message appears in the channel and the provider work happens after the ack.
 */
export function jobReviewSubmitted(services: Services) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const meta = decodeReviewMetadata(view.private_metadata);
    if (!meta) {
      await ack({
        response_action: 'update',
        view: jobNoticeView('This form is from an older version of the bot. Please run `/finetune start` again.'),
      });
      return;
    }
    const { provider, channelId, uploadedFile, ...rest } = meta.request;
    const refused = whyNotAllowed(services.jobs.policy, body.user.id, channelId);
    if (refused || !services.jobs.providers[provider]) {
      await ack({
        response_action: 'update',
        view: jobNoticeView(refused ?? `The ${provider} provider is no longer configured.`),
      });
      return;
    }
    const request: JobRequest = {
      ...rest,
      ...(uploadedFile?.url_private_download
        ? {
            slackFile: {
              id: uploadedFile.id,
              name: uploadedFile.name,
              url: uploadedFile.url_private_download,
              ...(uploadedFile.size !== undefined ? { bytes: uploadedFile.size } : {}),
            },
            trainingFileName: uploadedFile.name,
          }
        : {}),
    };
    const job = await services.store.createJob({
      teamId: body.team?.id ?? body.user.team_id ?? '',
      channelId,
      requestedBy: body.user.id,
      provider,
      request,
      phase: meta.needsApproval ? 'awaiting_approval' : 'starting',
      estimateUsd: meta.estimateUsd,
    });
    await ack({ response_action: 'clear' });
    await afterAck();

    const log = services.logger.child({ job: job.id, user: body.user.id });
    if (job.phase === 'starting') {
      await startJob(services.jobs, job.id).catch((error) => log.error({ err: error }, 'could not start the job'));
      return;
    }
    try {
      const ts = await services.jobs.notifier.post(job);
      const posted = (await services.store.updateJob(job.id, { messageTs: ts })) ?? job;
      const ask = jobApprovalMessage(posted, {
        providerLabel: services.jobs.providers[provider]?.label ?? provider,
        ...(services.jobs.policy.maxJobUsd !== undefined ? { maxJobUsd: services.jobs.policy.maxJobUsd } : {}),
      });
      for (const approver of services.jobs.policy.approvers) {
        await client.chat.postMessage({ channel: approver, ...ask }).catch((error) => {
          log.warn({ err: error, approver }, 'could not ask an approver');
        });
      }
    } catch (error) {
      log.warn({ err: error }, 'could not post a job waiting for approval');
      const reason = cannotReachChannel(error)
        ? CHANNEL_UNREACHABLE
        : {
            code: 'slack',
            message: 'Slack did not take the job’s message, so no approver was asked.',
            hint: 'Try again.',
          };
      await failJob(services.jobs, job, reason);
    }
  };
}
