import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { whyHidden } from '../../src/jobs/access.ts';
import { cancelJob } from '../../src/jobs/lifecycle.ts';
import type { Services } from '../../src/services.ts';
import { jobMessageContext } from '../../src/slack/job-context.ts';
import { jobStatusMessage, noSuchJobMessage } from '../../src/slack/jobs-list.ts';
import { afterAck } from '../after-ack.ts';
import { actorOf, jobInCharge, tellPresser, whyItFailed } from '../shared/job-button.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** Cancel (after Slack's own confirm dialog): cancels at the provider and edits the message. */
export function cancelClicked(services: Services) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const job = await jobInCharge(services, args, args.action.value, 'cancel');
    if (!job) return;
    try {
      await cancelJob(services.jobs, job.id, args.body.user.id);
    } catch (error) {
      services.logger.warn({ err: error, job: job.id }, 'could not cancel a job');
      await tellPresser(args, `I could not cancel the job. ${whyItFailed(error)}`);
    }
  };
}

/** Refresh: polls this one job at once (through the monitor's path, so nothing is announced twice). */
export function refreshClicked(services: Services) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const job = await jobInCharge(services, args, args.action.value, 'refresh');
    if (!job) return;
    const report = await services.jobs.monitor.tick(job.id);
    if (report.skipped) await tellPresser(args, 'An update is already under way; the message will change shortly.');
  };
}

/** Details (in `/finetune jobs`): the job as its message shows it, for the presser only. */
export function detailsClicked(services: Services) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const job = await services.store.getJob(args.action.value ?? '');
    if (!job || job.teamId !== args.body.team?.id) {
      await tellPresser(args, noSuchJobMessage(args.action.value ?? '').text);
      return;
    }
    const hidden = whyHidden(services.jobs.policy, job, actorOf(args.body));
    if (hidden) {
      await tellPresser(args, hidden);
      return;
    }
    const message = jobStatusMessage(
      job,
      jobMessageContext(job, { now: services.now(), providers: services.jobs.providers, prices: services.prices }),
    );
    await args.respond({ response_type: 'ephemeral', replace_original: false, ...message }).catch(() => {});
  };
}
