import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { whyNotInCharge } from '../../src/jobs/access.ts';
import { deploymentNameFor } from '../../src/jobs/deployment-name.ts';
import type { Completion } from '../../src/providers/types.ts';
import type { Services } from '../../src/services.ts';
import { noticeMetadata } from '../../src/slack/job-notice-lookup.ts';
import { parseTryIt, TRY_IT_UNAVAILABLE, tryItReply, tryItView } from '../../src/slack/job-thread.ts';
import { afterAck, withDeadline } from '../after-ack.ts';
import { jobInCharge, tellPresser, whyItFailed } from '../shared/job-button.ts';

/** Try it: a one-prompt modal for the tuned model. */
export function tryClicked(services: Services) {
  return async (args: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>): Promise<void> => {
    await args.ack();
    await afterAck();
    const job = await jobInCharge(services, args, args.action.value, 'try');
    if (!job) return;
    if (!job.fineTunedModel) {
      await tellPresser(args, 'That job has no tuned model to try yet.');
      return;
    }
    await withDeadline(
      args.client.views.open({ trigger_id: args.body.trigger_id, view: tryItView(job) }),
      services.triggerDeadlineMs,
    ).catch(() => tellPresser(args, 'Slack did not let me open the form in time. Please press Try it again.'));
  };
}

/** The prompt submitted: the tuned model answers in the job's thread (Azure: the deployment must exist). */
export function trySubmitted(services: Services) {
  return async ({ ack, view, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>) => {
    const parsed = parseTryIt(view.state.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    await ack();
    // The same prompt delivered twice is answered (and billed) once.
    if (!(await services.store.claimRequest(`try:${view.id}`))) return;
    await afterAck();
    const job = await services.store.getJob(view.private_metadata);
    const provider =
      job && Object.hasOwn(services.jobs.providers, job.provider) ? services.jobs.providers[job.provider] : undefined;
    if (!job?.fineTunedModel || !job.messageTs || !provider) {
      // Nothing to ask any more (the job's record or its provider is gone): say so rather than stay silent.
      await client.chat.postMessage({ channel: body.user.id, text: TRY_IT_UNAVAILABLE }).catch(() => {});
      return;
    }
    // Checked again on submit: the view is the presser's, but the rule is the server's.
    const refused = whyNotInCharge(services.jobs.policy, job, { userId: body.user.id, teamId: body.team?.id }, 'try');
    if (refused) {
      await client.chat.postMessage({ channel: body.user.id, text: refused }).catch(() => {});
      return;
    }
    // Some providers answer through the deployment the Deploy button made, not the model id (Azure).
    const model = provider.capabilities.tryItVia === 'deployment' ? deploymentNameFor(job.id) : job.fineTunedModel;
    let answer: Completion;
    try {
      answer = await provider.complete(model, parsed.prompt);
    } catch (error) {
      await client.chat
        .postMessage({ channel: body.user.id, text: `The tuned model did not answer. ${whyItFailed(error)}` })
        .catch(() => {});
      return;
    }
    const reply = tryItReply({
      by: body.user.id,
      model: job.fineTunedModel,
      prompt: parsed.prompt,
      answer: answer.text,
      ...(answer.stop ? { stop: answer.stop } : {}),
    });
    await client.chat
      .postMessage({
        channel: job.channelId,
        thread_ts: job.messageTs,
        ...reply,
        metadata: noticeMetadata(job.id, 'try'),
      })
      .catch((error) => services.logger.warn({ err: error, job: job.id }, 'could not post a Try it answer'));
  };
}
