import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { whyNotAllowed } from '../../src/jobs/access.ts';
import { requestApproval } from '../../src/jobs/approval-request.ts';
import { startJob } from '../../src/jobs/lifecycle.ts';
import type { Services } from '../../src/services.ts';
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
  return async ({ ack, body, view }: Args): Promise<void> => {
    const meta = decodeReviewMetadata(view.private_metadata, (problem) =>
      services.logger.warn({ user: body.user.id, problem }, 'review metadata refused'),
    );
    if (!meta) {
      await ack({
        response_action: 'update',
        view: jobNoticeView('This form is from an older version of the bot. Please run `/finetune start` again.'),
      });
      return;
    }
    const { provider, channelId, uploadedFile, ...rest } = meta.request;
    const refused = whyNotAllowed(services.jobs.policy, body.user.id, channelId);
    if (refused || !Object.hasOwn(services.jobs.providers, provider)) {
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
    // The view id names this review: the same submission sent twice starts one job, not two.
    const { job, created } = await services.store.createJobOnce(
      {
        teamId: body.team?.id ?? body.user.team_id ?? '',
        channelId,
        requestedBy: body.user.id,
        provider,
        request,
        phase: meta.needsApproval ? 'awaiting_approval' : 'starting',
        estimateUsd: meta.estimateUsd,
      },
      `review:${view.id}`,
    );
    await ack({ response_action: 'clear' });
    if (!created) return;
    await afterAck();

    const log = services.logger.child({ job: job.id, user: body.user.id });
    const next = job.phase === 'starting' ? startJob(services.jobs, job.id) : requestApproval(services.jobs, job.id);
    await next.catch((error) => log.error({ err: error }, 'could not start the job or ask for approval'));
  };
}
