import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { type Actor, type JobAction, whyNotInCharge } from '../../src/jobs/access.ts';
import { JobActionError } from '../../src/jobs/lifecycle.ts';
import { ProviderError } from '../../src/providers/types.ts';
import type { Services } from '../../src/services.ts';
import { noSuchJobMessage } from '../../src/slack/jobs-list.ts';
import type { JobRecord } from '../../src/store/types.ts';

/** What every button on a job message needs first: who pressed, may they, and how to answer only them. */

export type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** A short note only the person who pressed sees; never a new channel message. */
export function tellPresser(args: Pick<ButtonArgs, 'respond'>, text: string): Promise<unknown> {
  return args.respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
}

/** Words for a failed button press: ours, the provider's with its hint, or a plain apology. */
export function whyItFailed(error: unknown): string {
  if (error instanceof JobActionError) return `${error.message[0]?.toUpperCase()}${error.message.slice(1)}.`;
  if (error instanceof ProviderError) return `${error.message} ${error.hint}`;
  return 'Something went wrong on my side; please try again.';
}

/** Who pressed, as Slack signed it: the only input the access rules take. */
export function actorOf(body: ButtonArgs['body']): Actor {
  return { userId: body.user.id, teamId: body.team?.id, channelId: body.channel?.id };
}

/**
 * The job a button names, when the presser may act on it; otherwise they are told why (only them)
 * and undefined is returned, so nothing happens.
 */
export async function jobInCharge(
  services: Services,
  args: Pick<ButtonArgs, 'respond' | 'body'>,
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
