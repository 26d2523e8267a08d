import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ValidationReport } from '../../src/data/report.ts';
import { whyNotAllowed } from '../../src/jobs/access.ts';
import { providerChoices } from '../../src/jobs/choices.ts';
import { type GpuReviewInput, reviewFacts, validationOptions } from '../../src/jobs/review.ts';
import { ProviderError } from '../../src/providers/types.ts';
import type { Services } from '../../src/services.ts';
import { decodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { downloadLimits, findSlackFile, SlackFileError, validateSlackFile, whyNotRead } from '../../src/slack/files.ts';
import { JOB_START_BLOCKS } from '../../src/slack/job-ids.ts';
import { encodeReviewMetadata } from '../../src/slack/job-review-metadata.ts';
import { jobReviewFailedView, jobReviewView, jobReviewWorkingView } from '../../src/slack/job-review-view.ts';
import { type JobStartRequest, parseJobStart } from '../../src/slack/job-view-parse.ts';
import { afterAck, withDeadline } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/** How long the review waits for a GPU host's pre-flight (it may import torch and ask the hub). */
export const PREFLIGHT_DEADLINE_MS = 90_000;

/**
 * The job form submitted: field errors straight back; otherwise the review step, first as "checking
 * your file", then (after the ack) with the validation summary and the cost estimate, and for a LoRA
 * job on GPU hosts the host's pre-flight, run while the file is read.
 */
export function jobStartSubmitted(services: Services) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const providers = await providerChoices(services.jobs.providers);
    const meta = decodeChannelMetadata(view.private_metadata);
    const parsed = parseJobStart(view.state.values, providers, meta?.file);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    let request = parsed.request;
    const refused = whyNotAllowed(services.jobs.policy, body.user.id, request.channelId);
    if (refused) {
      await ack({ response_action: 'errors', errors: { [JOB_START_BLOCKS.channel]: refused } });
      return;
    }
    const adviceId = meta?.adviceId;
    const choice = providers.find((p) => p.id === request.provider);
    const providerLabel = choice?.label ?? request.provider;
    const pending = { request, estimateUsd: null, needsApproval: false, ...(adviceId ? { adviceId } : {}) };
    await ack({
      response_action: 'update',
      view: jobReviewWorkingView({ request, providerLabel, metadata: encodeReviewMetadata(pending) }),
    });
    await afterAck();

    const log = services.logger.child({ user: body.user.id, provider: request.provider });
    let unreadable: string | undefined;
    const attached = request.uploadedFile;
    if (attached && !attached.url_private_download && attached.id === meta?.file?.id) {
      // The form came with a validated file and nothing replaced it: its link is looked up now, after the ack.
      try {
        const found = await findSlackFile(client, attached);
        request = { ...request, uploadedFile: found, trainingFileName: found.name };
      } catch (error) {
        unreadable = whyNotRead(error);
      }
    }
    const checking = request.lora ? preflight(services, request, body.user.id, body.view.id, log) : undefined;
    let report: ValidationReport | undefined;
    if (request.uploadedFile?.url_private_download) {
      try {
        report = await validateSlackFile(
          { url: request.uploadedFile.url_private_download },
          client.token ?? '',
          downloadLimits(services),
          validationOptions(request),
        );
      } catch (error) {
        if (!(error instanceof SlackFileError)) log.error({ err: error }, 'validation failed');
        unreadable = whyNotRead(error);
      }
    }
    if (unreadable) {
      // The check itself could not run: say why, with nothing to submit, rather than review a file never read.
      await client.views
        .update({
          view_id: body.view.id,
          view: jobReviewFailedView({ request, providerLabel, metadata: encodeReviewMetadata(pending) }, unreadable),
        })
        .catch((error) => log.warn({ err: error }, 'could not show why the file was not checked'));
      return;
    }
    const gpu: GpuReviewInput | undefined = request.lora
      ? { hosts: choice?.hosts ?? [], ...(checking ? { preflight: await checking } : {}) }
      : undefined;
    const facts = reviewFacts(request.provider, request, report, services.prices, services.jobs.policy, gpu);
    const metadata = encodeReviewMetadata({
      // The estimate's basis travels with the job: every later mention of it says so too.
      request: {
        ...request,
        ...(report ? { billableTokens: facts.validation?.billableTokens } : {}),
        ...(facts.estimatePlaceholder ? { estimatePlaceholder: true } : {}),
      },
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

/**
 * The host's pre-flight for a LoRA request, when the provider has one: its report, or why it could
 * not run (the review shows that as the problem). No job exists yet: the spec's id names the review.
 */
async function preflight(
  services: Services,
  request: JobStartRequest,
  userId: string,
  viewId: string,
  log: Services['logger'],
): Promise<GpuReviewInput['preflight']> {
  const provider = services.jobs.providers[request.provider];
  if (!provider?.preflight) return undefined;
  try {
    return await withDeadline(
      provider.preflight({
        id: `review-${viewId}`,
        model: request.model,
        method: request.method,
        hyperparameters: request.hyperparameters,
        channelId: request.channelId,
        requestedBy: userId,
        ...(request.lora ? { lora: request.lora } : {}),
        ...(request.host ? { host: request.host } : {}),
        trainingBytes: request.uploadedFile?.size ?? 0,
      }),
      services.preflightDeadlineMs,
    );
  } catch (error) {
    if (error instanceof ProviderError) return { error: { message: error.message, hint: error.hint } };
    log.warn({ err: error }, 'pre-flight failed');
    return {
      error: {
        message: `the host did not answer within ${services.preflightDeadlineMs / 1000} s, or the check broke on the bot’s side.`,
        hint: 'Try again in a minute; if it keeps failing, the bot’s logs say why.',
      },
    };
  }
}
