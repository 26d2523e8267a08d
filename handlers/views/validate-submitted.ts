import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ValidationReport } from '../../src/data/validate.ts';
import { trainingCostLines } from '../../src/reports/cost-options.ts';
import type { Services } from '../../src/services.ts';
import { decodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { postToChannelOrDm } from '../../src/slack/deliver.ts';
import { encodeFileStart } from '../../src/slack/file-start.ts';
import { downloadLimits, SlackFileError, validateSlackFile, whyNotRead } from '../../src/slack/files.ts';
import { fileNotChecked, workingView } from '../../src/slack/notices.ts';
import { readValidateSubmission } from '../../src/slack/validate-view.ts';
import { buildValidationReportMessage } from '../../src/slack/validation-report.ts';
import { afterAck } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/** `/finetune validate` submitted: download the file, validate it while it streams, post the report. */
export function validateSubmitted(services: Services) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const parsed = readValidateSubmission(view.state.values, services.limits.maxFileBytes);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const channelId = decodeChannelMetadata(view.private_metadata)?.channelId;
    await ack({
      response_action: 'update',
      view: workingView('Check training data', `Checking ${parsed.file.name}`, channelId),
    });
    await afterAck();

    const userId = body.user.id;
    const log = services.logger.child({ user: userId, channel: channelId, file: parsed.file.id });
    let report: ValidationReport;
    try {
      report = await validateSlackFile(parsed.file, client.token ?? '', downloadLimits(services), {
        model: parsed.model,
        epochs: parsed.epochs,
      });
    } catch (error) {
      if (error instanceof SlackFileError) log.warn({ reason: error.message }, 'could not download the file');
      else log.error({ err: error }, 'validation failed');
      // A download problem concerns only the person who asked: tell them, not the channel.
      await client.chat
        .postMessage({ channel: userId, text: fileNotChecked(parsed.file.name, whyNotRead(error)) })
        .catch(() => {});
      return;
    }

    const costs = trainingCostLines(report, services.prices, services.now());
    // The next step where the person is: offered when there is somewhere to start a job.
    const startWith =
      Object.keys(services.jobs.providers).length > 0
        ? encodeFileStart({
            fileId: parsed.file.id,
            fileName: parsed.file.name,
            model: parsed.model,
            ...(parsed.epochs !== 'auto' ? { epochs: parsed.epochs } : {}),
          })
        : undefined;
    const delivery = await postToChannelOrDm(client, { channelId, userId }, (note) =>
      buildValidationReportMessage(
        {
          fileName: parsed.file.name,
          userId,
          report,
          costs: costs.lines,
          pricesAsOf: costs.asOf,
          ...(startWith ? { startWith } : {}),
        },
        note,
      ),
    ).catch((error: unknown) => {
      log.error({ err: error }, 'could not post the validation report');
      return undefined;
    });
    log.info({ examples: report.examples, errors: report.totalErrors, via: delivery?.via }, 'validation report');
  };
}
