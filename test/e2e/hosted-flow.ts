import { expect } from 'vitest';
import type { ProviderId } from '../../src/providers/types.ts';
import {
  JOB_REVIEW_CALLBACK_ID,
  JOB_START_CALLBACK_ID,
  JOB_TRY_ACTION_ID,
  JOB_TRY_CALLBACK_ID,
} from '../../src/slack/job-ids.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { checkView } from '../support/slack-limits.ts';
import { blockAction, interactionBody, uploadedFile, viewSubmission } from '../support/slack-request.ts';
import type { Harness } from './harness.ts';
import { type Msg, type View, waitForJob } from './job-flow.ts';

/** The job flow for the hosted providers beyond OpenAI (Together, Fireworks): form, review, start, Try it. */

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
export const HOSTED_TRAIN_FILE = `${Array.from({ length: 40 }, (_, i) => example(i)).join('\n')}\n`;

/** The start form's values for `provider`, with the inputs its capabilities show. */
export function hostedValues(
  provider: ProviderId,
  model: string,
  fileUrl: string,
  more: Record<string, string> = {},
): Parameters<typeof viewSubmission>[0]['values'] {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? '' } });
  return {
    provider: { job_provider: { type: 'static_select', selected_option: { value: provider } } },
    [`model_${provider}`]: { job_model: { type: 'static_select', selected_option: { value: model } } },
    file: {
      value: {
        type: 'file_input',
        files: [uploadedFile({ name: 'tickets.jsonl', url: fileUrl, size: HOSTED_TRAIN_FILE.length })],
      },
    },
    fileId: text(undefined),
    validationFileId: text(undefined),
    suffix: text(more.suffix),
    method: { value: { type: 'radio_buttons', selected_option: { value: 'supervised' } } },
    epochs: text(more.epochs ?? '2'),
    batchSize: text(undefined),
    learningRate: text(more.learningRate),
    adapter: { value: { type: 'static_select', selected_option: { value: more.adapter ?? '16' } } },
    checkpoints: text(undefined),
    evaluations: text(undefined),
    channel: { value: { type: 'conversations_select', selected_conversation: 'C0JOBS' } },
  };
}

let runs = 0;

/** Form → review → confirm; resolves to the one new job once the provider has it (or it failed). */
export async function startHostedJob(
  h: Harness,
  provider: ProviderId,
  model: string,
  more: Record<string, string> = {},
): Promise<{ job: JobRecord; review: View }> {
  const fileUrl = h.slack.serve(`tickets-${++runs}.jsonl`, { body: HOSTED_TRAIN_FILE });
  const res = await h.post(
    interactionBody(
      viewSubmission({
        callbackId: JOB_START_CALLBACK_ID,
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values: hostedValues(provider, model, fileUrl, more),
      }),
    ),
  );
  expect(res.json()).toMatchObject({ response_action: 'update' });
  const [update] = await h.slack.waitFor('views.update');
  const review = update?.args.view as View;
  expect(checkView(review as never)).toEqual([]);
  const before = (await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 50 }))).length;
  const confirm = await h.post(
    interactionBody(
      viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata: review.private_metadata, values: {} }),
    ),
  );
  expect(confirm.json()).toEqual({ response_action: 'clear' });
  const job = await waitForJob(h, (j) => (j.providerJobId !== null && j.lastEditAt !== null) || j.phase === 'failed');
  expect((await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 50 }))).length).toBe(before + 1);
  return { job, review };
}

/** Presses Try it on the job and asks `prompt`; resolves to the answer posted in its thread. */
export async function tryIt(h: Harness, jobId: string, prompt: string): Promise<Msg | undefined> {
  h.slack.reset();
  await h.post(interactionBody(blockAction({ actionId: JOB_TRY_ACTION_ID, value: jobId })));
  const [open] = await h.slack.waitFor('views.open');
  const view = open?.args.view as View;
  expect(view.callback_id).toBe(JOB_TRY_CALLBACK_ID);
  await h.post(
    interactionBody(
      viewSubmission({
        callbackId: JOB_TRY_CALLBACK_ID,
        privateMetadata: view.private_metadata,
        values: { prompt: { value: { type: 'plain_text_input', value: prompt } } },
      }),
    ),
  );
  return (await h.slack.waitFor('chat.postMessage')).map((c) => c.args as unknown as Msg)[0];
}
