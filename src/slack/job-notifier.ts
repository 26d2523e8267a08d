import type { webApi } from '@slack/bolt';
import { lossChartSpec } from '../charts/loss-chart.ts';
import { renderPng } from '../charts/render.ts';
import type { Catalogue } from '../cost/catalogue.ts';
import type { Logger } from '../logger.ts';
import type { Checkpoint, JobEvent, Provider, ProviderId } from '../providers/types.ts';
import type { JobPhase, JobRecord, LossPoint, Store } from '../store/types.ts';
import { slackErrorCode } from './deliver.ts';
import { jobApprovalMessage } from './job-approval.ts';
import { jobMessageContext } from './job-context.ts';
import { capabilitiesFor } from './job-gpu.ts';
import { type JobMessageContext, jobMessage } from './job-message.ts';
import { findNotice, lossCurveFileName, noticeMetadata } from './job-notice-lookup.ts';
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
 * What the bot tells people about a job, in its own words; createSlackJobNotifier() says it in
 * Slack. Each method that posts is one notice: it is given the notice's key, carries it in the
 * message's metadata and returns the message's ts, so a notice cut off by a crash can be found
 * again with `find` before it is posted a second time (src/jobs/notices.ts does the bookkeeping).
 */
export interface JobNotifier {
  /** Posts the job's one message in its channel; returns its ts. */
  post(job: JobRecord, key: string): Promise<string>;
  /**
   * Edits the job's one message to show the record. False when Slack's rate budget for edits is
   * spent: the job stays due and the next tick tries again.
   */
  refresh(job: JobRecord): Promise<boolean>;
  /** The job's message edited to its final state, whatever the edit budget: one edit per job, ever. */
  showFinal(job: JobRecord): Promise<void>;
  statusChanged(job: JobRecord, from: JobPhase, to: JobPhase, key: string): Promise<string>;
  checkpoint(job: JobRecord, checkpoint: Checkpoint, key: string): Promise<string>;
  /** A provider event worth a person's eyes: warnings and errors. */
  providerEvent(job: JobRecord, event: JobEvent, key: string): Promise<string>;
  stalled(job: JobRecord, minutes: number, key: string): Promise<string>;
  /**
   * The end in the thread: the summary, the failure in plain words, or the cancel; by DM to the
   * requester when the job never got its message (the channel refused it).
   */
  finished(job: JobRecord, key: string): Promise<string>;
  /** A succeeded job's loss curve in its thread; null when there was nothing to upload or find again. */
  lossCurve(job: JobRecord, points: LossPoint[], key: string): Promise<string | null>;
  /** Asks one approver, by DM, to approve or reject the job. */
  askApprover(job: JobRecord, approver: string, key: string): Promise<string>;
  /** The ts of the message that carries notice `key` of `job`, looked up in Slack; undefined if none. */
  find(job: JobRecord, key: string): Promise<string | undefined>;
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
  /** The configured providers: each job's label, capabilities (its buttons) and hosts (its GPU's rate). */
  providers?: Partial<Record<ProviderId, Provider>>;
  /**
   * Edits allowed per minute across the app. chat.update is Tier 3 (50+ per minute); staying at 50
   * leaves room for the edits people cause by pressing buttons.
   */
  editsPerMinute?: number;
  /**
   * The client the job message's edits go through. Built with `rejectRateLimitedCalls`: a 429 on an
   * edit pauses edits only, for as long as Slack's Retry-After says, instead of the Web API client
   * holding the whole monitor (its posts included) while it waits. Absent: `client`.
   */
  editClient?: webApi.WebClient;
}

/** The Web API client's "rate limited" error (with rejectRateLimitedCalls): how long Slack asked to wait. */
function rateLimitedFor(error: unknown): number | undefined {
  const e = error as { code?: unknown; retryAfter?: unknown } | undefined;
  return e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number' ? e.retryAfter : undefined;
}

/** The monitor's words, said in Slack: the job's one message kept current, and replies in its thread. */
export function createSlackJobNotifier(o: SlackJobNotifierOptions): JobNotifier {
  const budget = new RateBudget(o.editsPerMinute ?? 50, 60_000, () => o.now().getTime());
  const editClient = o.editClient ?? o.client;
  // Edits wait out a 429 until then. The queue of edits is the monitor's set of changed jobs: each
  // edit renders the job's record as it is when its turn comes, so the latest state wins and a
  // paused message is edited once, not once per change it missed.
  let editsPausedUntil = 0;
  const pausedFor = () => Math.max(0, editsPausedUntil - o.now().getTime());
  const ctx = (job: JobRecord): JobMessageContext =>
    jobMessageContext(job, {
      now: o.now(),
      providers: o.providers ?? {},
      prices: o.prices,
      ...(o.approvers ? { approvers: o.approvers } : {}),
      ...(o.maxJobUsd !== undefined ? { maxJobUsd: o.maxJobUsd } : {}),
    });

  async function send(args: webApi.ChatPostMessageArguments): Promise<string> {
    const res = await o.client.chat.postMessage(args);
    if (!res.ts) throw new Error('Slack did not return the message ts');
    return res.ts;
  }

  async function reply(job: JobRecord, r: ThreadReply, key: string): Promise<string> {
    if (!job.messageTs) throw new Error(`job ${job.id} has no message to reply to`);
    return send({
      channel: job.channelId,
      thread_ts: job.messageTs,
      text: r.text,
      ...(r.blocks ? { blocks: r.blocks } : {}),
      metadata: noticeMetadata(job.id, key),
    });
  }

  async function update(job: JobRecord): Promise<void> {
    if (!job.messageTs) return;
    const message = jobMessage(job, ctx(job));
    try {
      await editClient.chat.update({ channel: job.channelId, ts: job.messageTs, ...message });
    } catch (error) {
      const wait = rateLimitedFor(error);
      if (wait !== undefined) {
        editsPausedUntil = o.now().getTime() + wait * 1000;
        o.logger.warn({ job: job.id, retryAfterSeconds: wait }, 'Slack rate-limited a job message edit; edits wait');
      }
      throw error;
    }
  }

  return {
    async post(job, key) {
      return send({ channel: job.channelId, ...jobMessage(job, ctx(job)), metadata: noticeMetadata(job.id, key) });
    },
    async refresh(job) {
      if (pausedFor() > 0 || !budget.take()) return false;
      try {
        await update(job);
      } catch (error) {
        // Rate-limited: left for the next tick, which renders whatever is newest by then.
        if (rateLimitedFor(error) !== undefined) return false;
        throw error;
      }
      return true;
    },
    async showFinal(job) {
      // An ending is not skipped for the budget, but Slack's own "wait" is obeyed: the ending is
      // tried again on a later tick (the job stays active until its message is final).
      const wait = pausedFor();
      if (wait > 0) throw new Error(`Slack asked to wait ${Math.ceil(wait / 1000)} s before editing messages`);
      budget.take();
      await update(job);
    },
    statusChanged: (job, from, to, key) => reply(job, statusChangedReply(from, to), key),
    checkpoint: (job, checkpoint, key) => reply(job, checkpointReply(checkpoint), key),
    providerEvent: (job, event, key) => reply(job, providerEventReply(event, ctx(job).providerLabel), key),
    stalled: (job, minutes, key) => {
      const c = ctx(job);
      return reply(job, stalledReply(minutes, c.providerLabel, capabilitiesFor(job, c).hosts), key);
    },
    async finished(job, key) {
      if (job.messageTs) return reply(job, finishedReply(job, ctx(job)), key);
      return send({
        channel: job.requestedBy,
        text: `Fine-tune ${job.id}: ${finishedReply(job, ctx(job)).text}`,
        metadata: noticeMetadata(job.id, key),
      });
    },
    async lossCurve(job, points, key) {
      if (!job.messageTs) return null;
      if (points.length < 2) return reply(job, { text: lossCurveCaption(points.length) }, key);
      const png = await renderPng(lossChartSpec(points, { title: `Loss: ${job.id}` }));
      // A file carries no message metadata: it is found again by its name (src/slack/job-notice-lookup.ts).
      await o.client.filesUploadV2({
        channel_id: job.channelId,
        thread_ts: job.messageTs,
        file: png,
        filename: lossCurveFileName(job.id),
        title: lossCurveCaption(points.length),
        alt_text: 'Training and validation loss by step.',
      });
      return null;
    },
    async askApprover(job, approver, key) {
      const ask = jobApprovalMessage(job, {
        providerLabel: ctx(job).providerLabel,
        ...(o.maxJobUsd !== undefined ? { maxJobUsd: o.maxJobUsd } : {}),
      });
      return send({ channel: approver, ...ask, metadata: noticeMetadata(job.id, key) });
    },
    find: (job, key) => findNotice(o.client, job, key),
  };
}
