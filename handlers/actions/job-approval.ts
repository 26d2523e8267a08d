import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { decide } from '../../src/jobs/approval.ts';
import { announceEnd, startJob } from '../../src/jobs/lifecycle.ts';
import type { Services } from '../../src/services.ts';
import { jobApprovalDecidedMessage } from '../../src/slack/job-approval.ts';
import { afterAck } from '../after-ack.ts';
import { tellPresser, whyItFailed } from '../shared/job-button.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** Approve or Reject, pressed by an approver: the first decision is recorded, the job starts or closes. */
export function approvalClicked(services: Services, decision: 'approved' | 'rejected') {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const { body, action, client } = args;
    let job: Awaited<ReturnType<typeof decide>>;
    try {
      job = await decide(
        services.store,
        services.jobs.policy,
        action.value ?? '',
        body.user.id,
        decision,
        services.now(),
        body.team?.id,
      );
    } catch (error) {
      await tellPresser(args, whyItFailed(error));
      return;
    }
    const ctx = {
      providerLabel: services.jobs.providers[job.provider]?.label ?? job.provider,
      ...(services.jobs.policy.maxJobUsd !== undefined ? { maxJobUsd: services.jobs.policy.maxJobUsd } : {}),
    };
    if (body.channel?.id && body.message?.ts) {
      await client.chat
        .update({ channel: body.channel.id, ts: body.message.ts, ...jobApprovalDecidedMessage(job, ctx) })
        .catch(() => {});
    }
    if (decision === 'approved') {
      await startJob(services.jobs, job.id).catch((error) => {
        services.logger.error({ err: error, job: job.id }, 'could not start an approved job');
      });
      return;
    }
    await announceEnd(services.jobs, job, []);
  };
}
