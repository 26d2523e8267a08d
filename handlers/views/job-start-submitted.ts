import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ValidationReport } from '../../src/data/report.ts';
import { whyNotAllowed } from '../../src/jobs/access.ts';
import { providerChoices } from '../../src/jobs/choices.ts';
import { reviewFacts } from '../../src/jobs/review.ts';
import type { Services } from '../../src/services.ts';
import { decodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { downloadLimits, SlackFileError, validateSlackFile, whyNotRead } from '../../src/slack/files.ts';
import { JOB_START_BLOCKS } from '../../src/slack/job-ids.ts';
import { encodeReviewMetadata } from '../../src/slack/job-review-metadata.ts';
import { jobReviewView, jobReviewWorkingView } from '../../src/slack/job-review-view.ts';
import { parseJobStart } from '../../src/slack/job-view-parse.ts';
import { afterAck } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The job form submitted: field errors straight back; otherwise the review step, first as "checking
 * your file", then (after the ack) with the validation summary and the cost estimate.
 */
export function jobStartSubmitted(services: Services) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const providers = await providerChoices(services.jobs.providers);
    const parsed = parseJobStart(view.state.values, providers);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const request = parsed.request;
    const refused = whyNotAllowed(services.jobs.policy, body.user.id, request.channelId);
    if (refused) {
      await ack({ response_action: 'errors', errors: { [JOB_START_BLOCKS.channel]: refused } });
      return;
    }
    const adviceId = decodeChannelMetadata(view.private_metadata)?.adviceId;
    const providerLabel = providers.find((p) => p.id === request.provider)?.label ?? request.provider;
    const pending = { request, estimateUsd: null, needsApproval: false, ...(adviceId ? { adviceId } : {}) };
    await ack({
      response_action: 'update',
      view: jobReviewWorkingView({ request, providerLabel, metadata: encodeReviewMetadata(pending) }),
    });
    await afterAck();

    const log = services.logger.child({ user: body.user.id, provider: request.provider });
    let report: ValidationReport | undefined;
    let unreadable: string | undefined;
    if (request.uploadedFile?.url_private_download) {
      try {
        report = await validateSlackFile(
          { url: request.uploadedFile.url_private_download },
          client.token ?? '',
          downloadLimits(services),
          { model: request.model, epochs: request.hyperparameters.nEpochs },
        );
      } catch (error) {
        if (!(error instanceof SlackFileError)) log.error({ err: error }, 'validation failed');
        unreadable = whyNotRead(error);
      }
    }
    const facts = reviewFacts(request.provider, request, report, services.prices, services.jobs.policy);
    if (unreadable) {
      facts.validation = { examples: 0, billableTokens: 0, warnings: 0, errors: 0, fatal: unreadable };
      facts.canStart = false;
    }
    const metadata = encodeReviewMetadata({
      request: report ? { ...request, billableTokens: facts.validation?.billableTokens } : request,
      estimateUsd: facts.estimateUsd,
      needsApproval: facts.needsApproval,
      ...(adviceId ? { adviceId } : {}),
    });
    await client.views
      .update({
        view_id: body.view.id,
        view: jobReviewView({
          request,
          providerLabel,
          facts,
          ...(services.jobs.policy.maxJobUsd !== undefined ? { maxJobUsd: services.jobs.policy.maxJobUsd } : {}),
          metadata,
        }),
      })
      .catch((error) => log.warn({ err: error }, 'could not show the job review'));
  };
}
