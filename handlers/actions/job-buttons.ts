import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { whyNotInCharge } from '../../src/jobs/access.ts';
import { cancelJob, JobActionError } from '../../src/jobs/lifecycle.ts';
import { ProviderError } from '../../src/providers/types.ts';
import type { Services } from '../../src/services.ts';
import { PROVIDER_NAMES } from '../../src/slack/job-format.ts';
import { jobStatusMessage, noSuchJobMessage } from '../../src/slack/jobs-list.ts';
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

/** Cancel (after Slack's own confirm dialog): cancels at the provider and edits the message. */
export function cancelClicked(services: Services) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const job = await services.store.getJob(args.action.value ?? '');
    const refused = job
      ? whyNotInCharge(services.jobs.policy, job, args.body.user.id, args.body.team?.id)
      : noSuchJobMessage(args.action.value ?? '').text;
    if (refused) {
      await tellPresser(args, refused);
      return;
    }
    try {
      await cancelJob(services.jobs, args.action.value ?? '', args.body.user.id);
    } catch (error) {
      services.logger.warn({ err: error, job: args.action.value }, 'could not cancel a job');
      await tellPresser(args, `I could not cancel the job. ${whyItFailed(error)}`);
    }
  };
}

/** Refresh: polls the job at once (through the monitor's path, so nothing is announced twice). */
export function refreshClicked(services: Services) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await afterAck();
    const job = await services.store.getJob(args.action.value ?? '');
    if (!job) {
      await tellPresser(args, noSuchJobMessage(args.action.value ?? '').text);
      return;
    }
    const report = await services.jobs.monitor.tick();
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
    const message = jobStatusMessage(job, {
      now: services.now(),
      providerLabel: services.jobs.providers[job.provider]?.label ?? PROVIDER_NAMES[job.provider],
    });
    await args.respond({ response_type: 'ephemeral', replace_original: false, ...message }).catch(() => {});
  };
}
