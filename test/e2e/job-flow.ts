import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { checkView } from '../support/slack-limits.ts';
import { interactionBody, uploadedFile, viewSubmission } from '../support/slack-request.ts';
import { Harness } from './harness.ts';

/** Steps of the job flow shared by the job e2e tests: the form, the review, the stored job. */

/**
 * The bot with OpenAI configured against a local fake, for a test file: started before its tests,
 * stopped after, Slack calls and scripted failures cleared before each. The monitor is ticked by
 * hand (its cron never fires during a test) and the fake's clock follows the bot's.
 */
export function useJobHarness(env: Record<string, string> = {}): { h: Harness; openai: FakeOpenAI } {
  const openai = new FakeOpenAI();
  const settings: Record<string, string> = { OPENAI_API_KEY: 'sk-e2e-secret', POLL_CRON: '0 0 1 1 *', ...env };
  const h = new Harness(settings);
  beforeAll(async () => {
    await openai.start();
    settings.OPENAI_BASE_URL = openai.baseUrl;
    openai.now = () => h.clock.getTime();
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
    await openai.stop();
  });
  beforeEach(() => {
    h.slack.reset();
    openai.clearFailures();
  });
  return { h, openai };
}

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You route support tickets.' },
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const trainFile = `${Array.from({ length: 60 }, (_, i) => example(i)).join('\n')}\n`;

export type View = { callback_id: string; private_metadata: string; submit?: unknown; blocks: unknown[] };
export type Msg = { channel: string; ts?: string; thread_ts?: string; text: string; blocks?: unknown[] };

export function startValues(o: { fileUrl?: string; fileId?: string; suffix?: string; epochs?: string } = {}) {
  return {
    provider: { job_provider: { type: 'static_select', selected_option: { value: 'openai' } } },
    model_openai: { job_model: { type: 'static_select', selected_option: { value: 'gpt-4.1-mini-2025-04-14' } } },
    file: {
      value: {
        type: 'file_input',
        files: o.fileUrl ? [uploadedFile({ name: 'tickets.jsonl', url: o.fileUrl, size: trainFile.length })] : [],
      },
    },
    fileId: { value: { type: 'plain_text_input', value: o.fileId ?? '' } },
    validationFileId: { value: { type: 'plain_text_input', value: '' } },
    suffix: { value: { type: 'plain_text_input', value: o.suffix ?? 'tickets' } },
    method: { value: { type: 'radio_buttons', selected_option: { value: 'supervised' } } },
    epochs: { value: { type: 'plain_text_input', value: o.epochs ?? '3' } },
    batchSize: { value: { type: 'plain_text_input', value: '' } },
    lrMultiplier: { value: { type: 'plain_text_input', value: '' } },
    channel: { value: { type: 'conversations_select', selected_conversation: 'C0JOBS' } },
  };
}

/** Goes from the form to a started job; returns our job id and the job message's ts. */
export async function startJob(h: Harness, o: Parameters<typeof startValues>[0] = {}) {
  const fileUrl = o.fileId ? undefined : h.slack.serve('tickets.jsonl', { body: trainFile });
  const res = await h.post(
    interactionBody(
      viewSubmission({
        callbackId: JOB_START_CALLBACK_ID,
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values: startValues({ ...o, ...(fileUrl ? { fileUrl } : {}) }),
      }),
    ),
  );
  expect(res.json()).toMatchObject({ response_action: 'update' });
  const [update] = await h.slack.waitFor('views.update');
  const review = update?.args.view as View;
  expect(checkView(review as never)).toEqual([]);
  const confirm = await h.post(
    interactionBody(
      viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata: review.private_metadata, values: {} }),
    ),
  );
  expect(confirm.json()).toEqual({ response_action: 'clear' });
  const [posted] = await h.slack.waitFor('chat.postMessage');
  const message = posted?.args as unknown as Msg;
  const job = await waitForJob(
    h,
    // Started means its message has had the first edit too, so no stray edit lands after a reset.
    (j) =>
      (j.providerJobId !== null && j.lastEditAt !== null) ||
      ['failed', 'cancelled', 'awaiting_approval'].includes(j.phase),
  );
  return { job, message, review };
}

export async function waitForJob(h: Harness, ready: (j: JobRecord) => boolean, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const jobs = await h.withStore((s) => s.listJobs({ teamId: 'T0001', channelId: 'C0JOBS', limit: 1 }));
    const job = jobs[0];
    if (job && ready(job)) return job;
    if (Date.now() > until) throw new Error(`job not ready: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const updates = (h: Harness) => h.slack.callsTo('chat.update').map((c) => c.args as unknown as Msg);
export const replies = (h: Harness) =>
  h.slack
    .callsTo('chat.postMessage')
    .map((c) => c.args as unknown as Msg)
    .filter((m) => m.thread_ts);
