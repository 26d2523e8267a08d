import type { webApi } from '@slack/bolt';
import { lossChartSpec } from '../charts/loss-chart.ts';
import { renderPng } from '../charts/render.ts';
import type { Catalogue } from '../cost/catalogue.ts';
import type { Logger } from '../logger.ts';
import type { Checkpoint, JobEvent, ProviderId } from '../providers/types.ts';
import type { JobPhase, JobRecord, LossPoint, Store } from '../store/types.ts';
import { slackErrorCode } from './deliver.ts';
import { PROVIDER_NAMES } from './job-format.ts';
import { type JobMessageContext, jobMessage } from './job-message.ts';
import {
  checkpointReply,
  finishedReply,
  lossCurveCaption,
  providerEventReply,
  stalledReply,
  statusChangedReply,
  type ThreadReply,
} from './job-thread.ts';
import { RateBudget } from './rate-budget.ts';

/**
 * What the monitor tells the channel, in its own words; createSlackJobNotifier() says it in Slack.
 * Every method but `refresh` is an announcement the monitor claims in the store first, so each is
 * called at most once per job and key, across restarts.
 */
export interface JobNotifier {
  /** Posts the job's one message in its channel; returns its ts. */
  post(job: JobRecord): Promise<string>;
  /**
   * Edits the job's one message to show the record. False when Slack's rate budget for edits is
   * spent: the job stays due and the next tick tries again.
   */
  refresh(job: JobRecord): Promise<boolean>;
  statusChanged(job: JobRecord, from: JobPhase, to: JobPhase): Promise<void>;
  checkpoint(job: JobRecord, checkpoint: Checkpoint): Promise<void>;
  /** A provider event worth a person's eyes: warnings and errors. */
  providerEvent(job: JobRecord, event: JobEvent): Promise<void>;
  stalled(job: JobRecord, minutes: number): Promise<void>;
  /**
   * The end: the job's message edited to its final state, and the summary (or the failure in plain
   * words) in the thread with the loss curve. Throws when the channel could not be told.
   */
  finished(job: JobRecord, points: LossPoint[]): Promise<void>;
}

// Slack errors that retrying cannot fix: the channel or the message is gone, or the bot is out.
const UNREACHABLE = new Set([
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'message_not_found',
  'cant_update_message',
  'account_inactive',
  'team_access_not_granted',
]);

/** True when a job's channel cannot be posted to again (archived, deleted, the bot removed). */
export function cannotReachChannel(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && UNREACHABLE.has(code);
}

export interface SlackJobNotifierOptions {
  client: webApi.WebClient;
  store: Store;
  prices: Catalogue;
  logger: Logger;
  now: () => Date;
  approvers?: readonly string[];
  maxJobUsd?: number;
  /**
   * Edits allowed per minute across the app. chat.update is Tier 3 (50+ per minute); staying at 50
   * leaves room for the edits people cause by pressing buttons.
   */
  editsPerMinute?: number;
}

/** The monitor's words, said in Slack: the job's one message kept current, and replies in its thread. */
export function createSlackJobNotifier(o: SlackJobNotifierOptions): JobNotifier {
  const budget = new RateBudget(o.editsPerMinute ?? 50, 60_000, () => o.now().getTime());
  const ctx = (job: JobRecord): JobMessageContext => ({
    now: o.now(),
    providerLabel: PROVIDER_NAMES[job.provider as ProviderId] ?? job.provider,
    ...(o.approvers ? { approvers: o.approvers } : {}),
    ...(o.maxJobUsd !== undefined ? { maxJobUsd: o.maxJobUsd } : {}),
  });

  async function reply(job: JobRecord, r: ThreadReply): Promise<void> {
    if (!job.messageTs) return;
    await o.client.chat.postMessage({
      channel: job.channelId,
      thread_ts: job.messageTs,
      text: r.text,
      ...(r.blocks ? { blocks: r.blocks } : {}),
    });
  }

  async function update(job: JobRecord): Promise<void> {
    if (!job.messageTs) return;
    const message = jobMessage(job, ctx(job));
    await o.client.chat.update({ channel: job.channelId, ts: job.messageTs, ...message });
  }

  return {
    async post(job) {
      const message = jobMessage(job, ctx(job));
      const res = await o.client.chat.postMessage({ channel: job.channelId, ...message });
      if (!res.ts) throw new Error('Slack did not return the message ts');
      return res.ts;
    },
    async refresh(job) {
      if (!budget.take()) return false;
      await update(job);
      return true;
    },
    async statusChanged(job, from, to) {
      await reply(job, statusChangedReply(from, to));
    },
    async checkpoint(job, checkpoint) {
      await reply(job, checkpointReply(checkpoint));
    },
    async providerEvent(job, event) {
      await reply(job, providerEventReply(event, ctx(job).providerLabel));
    },
    async stalled(job, minutes) {
      await reply(job, stalledReply(minutes, ctx(job).providerLabel));
    },
    async finished(job, points) {
      if (!job.messageTs) {
        // The job never got its message (the channel refused it): the requester hears by DM.
        await o.client.chat.postMessage({
          channel: job.requestedBy,
          text: `Fine-tune ${job.id}: ${finishedReply(job).text}`,
        });
        return;
      }
      // The final state must show, budget or not: it is one edit per job, ever.
      budget.take();
      await update(job);
      await reply(job, finishedReply(job));
      if (job.phase !== 'succeeded' || !job.messageTs) return;
      // The edit and the summary are the announcement; the curve is a bonus, and a failure to post
      // it must not make the monitor post the summary again.
      try {
        if (points.length < 2) {
          await reply(job, { text: lossCurveCaption(points.length) });
          return;
        }
        const png = await renderPng(lossChartSpec(points, { title: `Loss: ${job.id}` }));
        await o.client.filesUploadV2({
          channel_id: job.channelId,
          thread_ts: job.messageTs,
          file: png,
          filename: `${job.id}-loss.png`,
          title: lossCurveCaption(points.length),
          alt_text: 'Training and validation loss by step.',
        });
      } catch (error) {
        o.logger.warn({ err: error, job: job.id }, 'could not post the loss curve');
      }
    },
  };
}
