import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JOB_CANCEL_ACTION_ID } from '../../src/slack/job-ids.ts';
import { FakeTogether } from '../support/fake-together.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { blockAction, interactionBody, slashCommandBody } from '../support/slack-request.ts';
import { Harness } from './harness.ts';
import { HOSTED_TRAIN_FILE, startHostedJob, tryIt } from './hosted-flow.ts';
import { replies, updates, waitForJob } from './job-flow.ts';

/**
 * A Together AI job from the form to its summary, over signed HTTP to the real bot, with Together
 * faked at its HTTP edge: the same message, thread, cost and Try it as an OpenAI job.
 */

const MODEL = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference';
const together = new FakeTogether();
const settings: Record<string, string> = {
  TOGETHER_API_KEY: together.apiKey,
  POLL_CRON: '0 0 1 1 *',
  AZURE_RETAIL_PRICES_URL: 'off',
};
const h = new Harness(settings, { hosted: { together: { retryBaseMs: 1 } } });

beforeAll(async () => {
  await together.start();
  settings.TOGETHER_BASE_URL = together.baseUrl;
  await h.start();
});
afterAll(async () => {
  await h.stop();
  await together.stop();
});
beforeEach(() => {
  h.slack.reset();
});

const startTogetherJob = (model = MODEL) =>
  startHostedJob(h, 'together', model, { suffix: 'tickets', learningRate: '1e-4', adapter: '16' });

describe('Together AI, end to end over HTTP with Together faked at the HTTP edge', () => {
  it('offers Together in the form with its own knobs', async () => {
    await h.post(slashCommandBody({ text: 'start' }));
    const [open] = await h.slack.waitFor('views.open');
    const view = JSON.stringify(open?.args.view);
    expect(view).toContain('"value":"together"');
    expect(view).toContain('Learning rate');
    expect(view).toContain('LoRA, rank 8');
    expect(view).not.toContain('Learning-rate multiplier');
  });

  it('reviews with an estimate, starts, follows and finishes a job: one message, its thread, the cost, Try it', async () => {
    const { job, review } = await startTogetherJob();
    expect(JSON.stringify(review.blocks)).toMatch(/\$\d/);
    const [create] = together.calls('POST', '/v1/fine-tunes');
    expect(create?.authorization).toBe(`Bearer ${together.apiKey}`);
    expect(create?.body).toMatchObject({
      model: MODEL,
      n_epochs: 2,
      learning_rate: 0.0001,
      suffix: 'tickets',
      training_type: { type: 'Lora', lora_r: 16 },
    });
    const uploaded = [...together.files.values()][0];
    expect(uploaded?.filename).toBe(`${job.id}-tickets.jsonl`);
    expect(uploaded?.content).toBe(HOSTED_TRAIN_FILE);
    const id = job.providerJobId as string;

    together.advance(id, { status: 'running' }, [
      { type: 'training_start', message: 'Training started', total_steps: 40 },
    ]);
    together.addMetrics(id, 10, 1.8);
    together.addMetrics(id, 20, 1.2, 1.4);
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(updates(h)).toHaveLength(1);
    expect(updates(h)[0]?.ts).toBe(job.messageTs);
    expect(JSON.stringify(updates(h)[0]?.blocks)).toContain('step 20 of 40');
    expect((await h.withStore((s) => s.getJob(job.id)))?.progress).toMatchObject({
      step: 20,
      totalSteps: 40,
      trainLoss: 1.2,
    });

    const output = together.jobs.get(id)?.model_output_name as string;
    together.checkpoints.set(id, [
      { step: 40, path: 's3://out', created_at: new Date().toISOString(), checkpoint_type: 'final' },
    ]);
    together.addMetrics(id, 40, 0.6, 0.7);
    together.advance(id, { status: 'completed', token_count: 2_000_000 }, [
      { type: 'checkpoint_save', message: 'Checkpoint saved at step 40', step: 40, total_steps: 40 },
      { type: 'job_complete', message: 'Fine-tuning job completed' },
    ]);
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const final = updates(h)[0];
    expect(checkMessage(final as never)).toEqual([]);
    expect(JSON.stringify(final?.blocks)).toContain(output);
    expect(JSON.stringify(final?.blocks)).toContain('Try it');
    const thread = replies(h)
      .map((r) => r.text)
      .join('\n');
    expect(thread).toMatch(/is ready/);
    expect(h.slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
    const stored = await h.withStore((s) => s.getJob(job.id));
    expect(stored).toMatchObject({ phase: 'succeeded', fineTunedModel: output });
    // Together's token count (epochs × training tokens) at the catalogue's $0.48 per 1M for LoRA SFT up to 16B.
    expect(stored?.actualUsd).toBe(0.96);
    expect(await h.withStore((s) => s.lossPoints(job.id))).toHaveLength(3);

    // Try it asks the tuned model through Together's chat completions.
    together.served.add(output);
    const answer = await tryIt(h, job.id, 'My invoice is wrong');
    expect(JSON.stringify(answer)).toContain('A tuned answer from Together.');
    expect(together.calls('POST', '/v1/chat/completions')[0]?.body).toMatchObject({ model: output });

    // Nothing is said twice.
    h.slack.reset();
    h.advance(60_000);
    await h.bot?.monitor.tick();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
  });

  it('a job Together fails says its reason and a hint in the message and the thread', async () => {
    const { job } = await startTogetherJob();
    together.advance(job.providerJobId as string, { status: 'error' }, [
      { type: 'job_error', level: 'error', message: 'Training file has an invalid format on line 3' },
    ]);
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const text = JSON.stringify([...updates(h), ...replies(h)]);
    expect(text).toContain('invalid format on line 3');
    expect(text).toContain('/finetune validate');
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('failed');
  });

  it('out of credit at create: the job fails saying so, and its upload is deleted', async () => {
    together.fail((r) => r.method === 'POST' && r.path === '/v1/fine-tunes', {
      status: 402,
      body: { error: { message: 'Your balance is too low to start this job', type: 'billing' } },
    });
    const filesBefore = together.files.size;
    const { job } = await startTogetherJob();
    expect(job.phase).toBe('failed');
    expect(job.error).toMatchObject({ code: 'quota' });
    expect(job.error?.message).toContain('balance is too low');
    expect(together.files.size).toBe(filesBefore);
    const shown = JSON.stringify(h.slack.callsTo('chat.update').map((c) => c.args));
    expect(shown).toContain('balance is too low');
    expect(shown).not.toContain(together.apiKey);
  });

  it('Cancel asks Together to stop the job and says so', async () => {
    const { job } = await startTogetherJob();
    h.slack.reset();
    const res = await h.post(
      interactionBody(
        blockAction({ actionId: JOB_CANCEL_ACTION_ID, value: job.id, userId: 'U0ASKER', channelId: 'C0JOBS' }),
      ),
    );
    expect(res.status).toBe(200);
    const done = await waitForJob(h, (j) => j.id === job.id && j.phase === 'cancelled');
    expect(done.phase).toBe('cancelled');
    expect(together.calls('POST', `/v1/fine-tunes/${job.providerJobId}/cancel`)).toHaveLength(1);
  });

  // Last: Together's shorter list is what the bot then offers.
  it('a model Together no longer tunes: refused before any job, nothing left behind', async () => {
    together.supported = ['Qwen/Qwen3-8B'];
    try {
      const filesBefore = together.files.size;
      const jobsBefore = together.jobs.size;
      // The form still lists the model (read before Together dropped it); the start finds out.
      const { job } = await startTogetherJob();
      expect(job.phase).toBe('failed');
      expect(job.error?.message).toContain(`cannot fine-tune “${MODEL}”`);
      expect(together.jobs.size).toBe(jobsBefore);
      expect(together.files.size).toBe(filesBefore);
    } finally {
      together.supported = [MODEL, 'Qwen/Qwen3-8B'];
    }
  });
});
