import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { checkMessage, checkView } from '../support/slack-limits.ts';
import { interactionBody, slashCommandBody, uploadedFile, viewSubmission } from '../support/slack-request.ts';
import { Harness } from './harness.ts';

const openai = new FakeOpenAI();
let h: Harness;
beforeAll(async () => {
  await openai.start();
  // A cron that never fires during the test: ticks are driven by hand.
  h = await new Harness({
    OPENAI_API_KEY: 'sk-e2e-secret',
    OPENAI_BASE_URL: openai.baseUrl,
    POLL_CRON: '0 0 1 1 *',
  }).start();
});
afterAll(async () => {
  await h.stop();
  await openai.stop();
});
beforeEach(() => h.slack.reset());

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You route support tickets.' },
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const trainFile = `${Array.from({ length: 60 }, (_, i) => example(i)).join('\n')}\n`;

type View = { callback_id: string; private_metadata: string; submit?: unknown; blocks: unknown[] };
type Msg = { channel: string; ts?: string; thread_ts?: string; text: string; blocks?: unknown[] };

function startValues(o: { fileUrl?: string; fileId?: string; suffix?: string; epochs?: string } = {}) {
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
async function startJob(o: Parameters<typeof startValues>[0] = {}) {
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
  const job = await waitForJob((j) => j.providerJobId !== null || j.phase === 'failed');
  return { job, message, review };
}

async function waitForJob(ready: (j: import('../../src/store/types.ts').JobRecord) => boolean, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const jobs = await h.withStore((s) => s.listJobs({ teamId: 'T0001', channelId: 'C0JOBS', limit: 1 }));
    const job = jobs[0];
    if (job && ready(job)) return job;
    if (Date.now() > until) throw new Error(`job not ready: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const updates = () => h.slack.callsTo('chat.update').map((c) => c.args as unknown as Msg);
const replies = () =>
  h.slack
    .callsTo('chat.postMessage')
    .map((c) => c.args as unknown as Msg)
    .filter((m) => m.thread_ts);

describe('/finetune start, end to end over HTTP with OpenAI faked at the HTTP edge', () => {
  it('opens the job form with the configured provider only', async () => {
    await h.post(slashCommandBody({ text: 'start' }));
    const [open] = await h.slack.waitFor('views.open');
    const view = open?.args.view as View;
    expect(view.callback_id).toBe(JOB_START_CALLBACK_ID);
    expect(checkView(view as never)).toEqual([]);
    expect(JSON.stringify(view)).toContain('"value":"openai"');
    expect(JSON.stringify(view)).not.toContain('"value":"azure"');
  });

  it('sends field errors back without creating anything', async () => {
    const res = await h.post(
      interactionBody(
        viewSubmission({
          callbackId: JOB_START_CALLBACK_ID,
          privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
          values: startValues({ fileId: 'not-a-file', suffix: 'bad suffix!', epochs: '99' }),
        }),
      ),
    );
    expect(res.json()).toMatchObject({
      response_action: 'errors',
      errors: { fileId: 'A file id looks like file-abc123.', suffix: expect.any(String), epochs: expect.any(String) },
    });
    expect(await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 5 }))).toEqual([]);
    expect(openai.requests).toEqual([]);
  });

  it('reviews, starts, follows and finishes a job: one message edited in place, milestones in its thread', async () => {
    const { job, message, review } = await startJob();
    expect(JSON.stringify(review.blocks)).toMatch(/\$\d/); // the estimate is shown before anything is spent
    expect(message.channel).toBe('C0JOBS');
    expect(checkMessage(message as never)).toEqual([]);
    expect(openai.requestsTo('POST', /^\/files$/)).toHaveLength(1);
    const [create] = openai.requestsTo('POST', /^\/fine_tuning\/jobs$/);
    expect(create?.authorization).toBe('Bearer sk-e2e-secret');
    expect(create?.body).toMatchObject({
      model: 'gpt-4.1-mini-2025-04-14',
      suffix: 'tickets',
      metadata: { ftbot_job_id: job.id },
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3 } } },
    });
    expect(job).toMatchObject({ phase: 'validating', messageTs: message.ts ?? expect.any(String) });
    const id = job.providerJobId as string;

    // Running, with metrics.
    openai.advance(id, { status: 'running', estimated_finish: Math.floor(h.clock.getTime() / 1000) + 600 }, [
      { message: 'Fine-tuning job started' },
      FakeOpenAI.metrics(1, 90, 2.4),
      FakeOpenAI.metrics(2, 90, 2.1, 2.3),
    ]);
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(updates()).toHaveLength(1);
    expect(updates()[0]?.ts).toBe(job.messageTs);
    expect(JSON.stringify(updates()[0]?.blocks)).toContain('2.1');
    expect(
      replies()
        .map((r) => r.text)
        .join('\n'),
    ).toMatch(/Running/i);
    let stored = await h.withStore((s) => s.getJob(job.id));
    expect(stored).toMatchObject({
      phase: 'running',
      progress: { step: 2, totalSteps: 90, trainLoss: 2.1, validLoss: 2.3 },
    });

    // A tick within 30 s of the last edit changes the store but not the message.
    openai.advance(id, {}, [FakeOpenAI.metrics(3, 90, 1.9)]);
    h.slack.reset();
    h.advance(5_000);
    await h.bot?.monitor.tick();
    expect(updates()).toHaveLength(0);
    expect((await h.withStore((s) => s.getJob(job.id)))?.progress.step).toBe(3);

    // Success.
    openai.addCheckpoint(id, 90);
    openai.advance(
      id,
      {
        status: 'succeeded',
        fine_tuned_model: 'ft:gpt-4.1-mini-2025-04-14:acme:tickets:abc123',
        trained_tokens: 120_000,
        finished_at: Math.floor(h.clock.getTime() / 1000),
      },
      [
        FakeOpenAI.metrics(90, 90, 0.4, 0.5),
        { message: 'Checkpoint created at step 90' },
        { message: 'The job has successfully completed' },
      ],
    );
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(updates()).toHaveLength(1);
    const final = JSON.stringify(updates()[0]?.blocks);
    expect(final).toContain('ft:gpt-4.1-mini-2025-04-14:acme:tickets:abc123');
    expect(final).toContain('Try it');
    const threadText = replies()
      .map((r) => r.text)
      .join('\n');
    expect(threadText).toMatch(/Checkpoint saved at step 90/);
    expect(threadText).toMatch(/is ready/);
    expect(h.slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
    stored = await h.withStore((s) => s.getJob(job.id));
    expect(stored).toMatchObject({
      phase: 'succeeded',
      fineTunedModel: 'ft:gpt-4.1-mini-2025-04-14:acme:tickets:abc123',
      actualUsd: 0.6, // 120,000 tokens at $5 per 1M
    });
    expect(await h.withStore((s) => s.lossPoints(job.id))).toHaveLength(4);

    // Nothing is said twice.
    h.slack.reset();
    h.advance(60_000);
    await h.bot?.monitor.tick();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
  });
});
