import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { compareCosts } from '../../src/reports/cost-comparison.ts';
import { type StartableOption, startableOptions } from '../../src/reports/cost-start.ts';
import type { Services } from '../../src/services.ts';
import { decodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import { buildCostMessage } from '../../src/slack/cost-message.ts';
import { readCostSubmission } from '../../src/slack/cost-view.ts';
import { postToChannelOrDm } from '../../src/slack/deliver.ts';
import { downloadLimits, SlackFileError, validateSlackFile, whyNotRead } from '../../src/slack/files.ts';
import { fileNotChecked, workingView } from '../../src/slack/notices.ts';
import { afterAck, withDeadline } from '../after-ack.ts';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

const STARTABLE_DEADLINE_MS = 5_000;

/** `/finetune cost` submitted: count tokens if a file came, compare, post the table, then the chart. */
export function costSubmitted(services: Services) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const parsed = readCostSubmission(view.state.values, services.limits.maxFileBytes);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const channelId = decodeChannelMetadata(view.private_metadata)?.channelId;
    await ack({
      response_action: 'update',
      view: workingView('Estimate the cost', 'Working out the costs', channelId),
    });
    await afterAck();

    const userId = body.user.id;
    const log = services.logger.child({ user: userId, channel: channelId });
    const request = parsed.request;
    let trainingTokens = request.trainingTokens;
    let epochs = request.epochs;
    if (request.file) {
      try {
        const report = await validateSlackFile(request.file, client.token ?? '', downloadLimits(services), {
          model: request.model,
          epochs,
        });
        trainingTokens = report.trainingTokens;
        if (epochs === 'auto') epochs = report.epochs.value;
      } catch (error) {
        if (!(error instanceof SlackFileError)) log.error({ err: error }, 'token count failed');
        await client.chat
          .postMessage({ channel: userId, text: fileNotChecked(request.file.name, whyNotRead(error)) })
          .catch(() => {});
        return;
      }
    }
    const comparison = compareCosts(
      { ...request, trainingTokens: trainingTokens ?? 0, epochs: epochs === 'auto' ? 3 : epochs },
      services.prices,
      services.now(),
    );
    // The comparison is worth posting without its "Start a job" button, so a provider that cannot
    // list its models in time only costs the button.
    const startable = await withDeadline(
      startableOptions(comparison.estimates, services.jobs.providers, services.prices),
      STARTABLE_DEADLINE_MS,
    ).catch((error): StartableOption[] => {
      log.warn({ err: error }, 'could not tell which options can be started here');
      return [];
    });
    let delivery: Awaited<ReturnType<typeof postToChannelOrDm>>;
    try {
      delivery = await postToChannelOrDm(client, { channelId, userId }, (note) =>
        buildCostMessage(
          { ...comparison, userId, startable, ...(request.file ? { fileName: request.file.name } : {}) },
          note,
        ),
      );
    } catch (error) {
      log.error({ err: error }, 'could not post the cost comparison');
      return;
    }
    if (delivery.via === 'failed') return;
    try {
      const png = await comparison.chart();
      await client.filesUploadV2({
        channel_id: delivery.channelId,
        thread_ts: delivery.messageTs,
        file: png,
        filename: 'cost-comparison.png',
        title: 'Monthly cost against monthly volume',
        alt_text:
          'A line chart of monthly cost against monthly token volume for each option, with break-even points marked.',
      });
    } catch (error) {
      log.warn({ err: error }, 'could not upload the cost chart');
    }
  };
}
