import { describe, expect, it } from 'vitest';
import { JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { checkMessage, checkView } from '../support/slack-limits.ts';
import { interactionBody, slashCommandBody, viewSubmission } from '../support/slack-request.ts';
import { replies, startJob, startValues, updates, useJobHarness, type View } from './job-flow.ts';

const { h, openai } = useJobHarness();

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

  it('answers a review form it cannot read (from an older release) with a note, creating nothing', async () => {
    const res = await h.post(
      interactionBody(viewSubmission({ callbackId: 'job_review', privateMetadata: '{"v":0}', values: {} })),
    );
    expect(JSON.stringify(res.json())).toContain('older version of the bot');
    expect(await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 5 }))).toEqual([]);
  });

  it('reviews, starts, follows and finishes a job: one message edited in place, milestones in its thread', async () => {
    const { job, message, review } = await startJob(h);
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
    expect(updates(h)).toHaveLength(1);
    expect(updates(h)[0]?.ts).toBe(job.messageTs);
    expect(JSON.stringify(updates(h)[0]?.blocks)).toContain('2.1');
    expect(
      replies(h)
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
    expect(updates(h)).toHaveLength(0);
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
    expect(updates(h)).toHaveLength(1);
    const final = JSON.stringify(updates(h)[0]?.blocks);
    expect(final).toContain('ft:gpt-4.1-mini-2025-04-14:acme:tickets:abc123');
    expect(final).toContain('Try it');
    const threadText = replies(h)
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
