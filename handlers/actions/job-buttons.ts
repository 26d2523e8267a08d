import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { type Actor, type JobAction, whyHidden, whyNotInCharge } from '../../src/jobs/access.ts';
import { cancelJob, JobActionError } from '../../src/jobs/lifecycle.ts';
import { ProviderError } from '../../src/providers/types.ts';
import type { Services } from '../../src/services.ts';
import { jobMessageContext } from '../../src/slack/job-context.ts';
import { jobStatusMessage, noSuchJobMessage } from '../../src/slack/jobs-list.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { afterAck } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** A short note only the person who pressed sees; never a new channel message. */
export function tellPresser(args: Pick<Args, 'respond'>, text: string): Promise<unknown> {
  return args.respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
}

/** Words for a failed button press: ours, the provider's with its hint, or a plain apology. */
export function whyItFailed(error: unknown): string {
  if (error instanceof JobActionError) return `${error.message[0]?.toUpperCase()}${error.message.slice(1)}.`;
  if (error instanceof ProviderError) return `${error.message} ${error.hint}`;
  return 'Something went wrong on my side; please try again.';
}

/** Who pressed, as Slack signed it: the only input the access rules take. */
export function actorOf(body: Args['body']): Actor {
  return { userId: body.user.id, teamId: body.team?.id, channelId: body.channel?.id };
}

/**
 * The job a button names, when the presser may act on it; otherwise they are told why (only them)
 * and undefined is returned, so nothing happens.
 */
export async function jobInCharge(
  services: Services,
  args: Pick<Args, 'respond' | 'body'>,
  jobId: string | undefined,
  action: JobAction,
): Promise<JobRecord | undefined> {
  const job = jobId ? await services.store.getJob(jobId) : undefined;
  const refused = job
    ? whyNotInCharge(services.jobs.policy, job, actorOf(args.body), action)
    : noSuchJobMessage(jobId ?? '').text;
  if (refused) {
    await tellPresser(args, refused);
    return undefined;
  }
  return job;
}

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
