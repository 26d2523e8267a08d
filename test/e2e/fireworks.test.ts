import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JOB_CANCEL_ACTION_ID } from '../../src/slack/job-ids.ts';
import { FakeFireworks } from '../support/fake-fireworks.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { blockAction, interactionBody, slashCommandBody } from '../support/slack-request.ts';
import { Harness } from './harness.ts';
import { HOSTED_TRAIN_FILE, startHostedJob, tryIt } from './hosted-flow.ts';
import { replies, updates, waitForJob } from './job-flow.ts';

/**
 * A Fireworks AI job from the form to its summary, over signed HTTP to the real bot, with Fireworks
 * faked at its HTTP edge: progress comes as a percentage, the data as a dataset.
 */

const MODEL = 'accounts/fireworks/models/llama-v3p1-8b-instruct';
const fireworks = new FakeFireworks();
const settings: Record<string, string> = {
  FIREWORKS_API_KEY: fireworks.apiKey,
  FIREWORKS_ACCOUNT_ID: fireworks.accountId,
  POLL_CRON: '0 0 1 1 *',
  AZURE_RETAIL_PRICES_URL: 'off',
};
const h = new Harness(settings, { hosted: { fireworks: { retryBaseMs: 1, upload: { pollIntervalMs: 1 } } } });

beforeAll(async () => {
  await fireworks.start();
  settings.FIREWORKS_BASE_URL = fireworks.baseURL;
  await h.start();
});
afterAll(async () => {
  await h.stop();
  await fireworks.stop();
});
beforeEach(() => {
  h.slack.reset();
  fireworks.clearFailures();
});

const startFireworksJob = (model = MODEL) =>
  startHostedJob(h, 'fireworks', model, { learningRate: '2e-4', adapter: '8' });

describe('Fireworks AI, end to end over HTTP with Fireworks faked at the HTTP edge', () => {
  it('offers Fireworks in the form: upload only, a rank, the learning rate itself', async () => {
    await h.post(slashCommandBody({ text: 'start' }));
    const [open] = await h.slack.waitFor('views.open');
    const view = JSON.stringify(open?.args.view);
    expect(view).toContain('"value":"fireworks"');
    expect(view).toContain('LoRA, rank 4');
    expect(view).not.toContain('Full fine-tuning');
    expect(view).not.toContain('Model name suffix');
  });

  it('reviews with an estimate, starts, shows the percentage, and finishes with the cost and Try it', async () => {
    const { job, review } = await startFireworksJob();
    expect(JSON.stringify(review.blocks)).toMatch(/\$\d/);
    const [create] = fireworks.requestsTo('POST', /supervisedFineTuningJobs$/);
    expect(create?.query.get('supervisedFineTuningJobId')).toBe(job.id);
    expect(create?.body).toMatchObject({ baseModel: MODEL, epochs: 2, learningRate: 0.0002, loraRank: 8 });
    const dataset = [...fireworks.datasets.values()][0];
    expect([...(dataset?.files.values() ?? [])].map(String)).toEqual([HOSTED_TRAIN_FILE]);

    fireworks.run(job.id, 40, 0);
    fireworks.addMetrics(job.id, { step: 1, loss: 1.9 }, { step: 2, data: { 'train/loss': 1.5, 'eval/loss': 1.7 } });
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(updates(h)).toHaveLength(1);
    expect(updates(h)[0]?.ts).toBe(job.messageTs);
    expect(JSON.stringify(updates(h)[0]?.blocks)).toContain('40% done, epoch 1');
    expect((await h.withStore((s) => s.getJob(job.id)))?.progress).toMatchObject({ percent: 40, epoch: 1 });

    fireworks.addMetrics(job.id, { step: 3, loss: 1.1 });
    const done = fireworks.succeed(job.id, { deployed: true, tokens: 1_500_000 });
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const final = updates(h)[0];
    expect(checkMessage(final as never)).toEqual([]);
    expect(JSON.stringify(final?.blocks)).toContain(done.outputModel);
    expect(JSON.stringify(final?.blocks)).toContain('Try it');
    expect(
      replies(h)
        .map((r) => r.text)
        .join('\n'),
    ).toMatch(/is ready/);
    const stored = await h.withStore((s) => s.getJob(job.id));
    expect(stored).toMatchObject({ phase: 'succeeded', fineTunedModel: done.outputModel });
    // 1.5M tokens at the catalogue's $0.50 per 1M for models up to 16B.
    expect(stored?.actualUsd).toBe(0.75);
    // The loss curve, from Fireworks' metrics file.
    expect(await h.withStore((s) => s.lossPoints(job.id))).toHaveLength(3);
    expect(h.slack.callsTo('files.completeUploadExternal')).toHaveLength(1);

    const answer = await tryIt(h, job.id, 'My invoice is wrong');
    expect(JSON.stringify(answer)).toContain(fireworks.completion);

    h.slack.reset();
    h.advance(60_000);
    await h.bot?.monitor.tick();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
  });

  it('a job Fireworks fails says its reason in the message and the thread', async () => {
    const { job } = await startFireworksJob();
    fireworks.failJob(job.id, 'Dataset row 7 is not valid chat JSON');
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(JSON.stringify([...updates(h), ...replies(h)])).toContain('Dataset row 7 is not valid chat JSON');
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('failed');
  });

  it('a refused key fails the start saying which variable to check, and leaves no dataset', async () => {
    const before = fireworks.datasets.size;
    fireworks.fail(
      (r) => r.method === 'POST' && /supervisedFineTuningJobs$/.test(r.path),
      FakeFireworks.unauthenticated(),
    );
    const { job } = await startFireworksJob();
    expect(job.phase).toBe('failed');
    expect(job.error).toMatchObject({ code: 'auth' });
    expect(job.error?.hint).toContain('FIREWORKS_API_KEY');
    expect(fireworks.datasets.size).toBe(before);
    expect(JSON.stringify(h.slack.callsTo('chat.update').map((c) => c.args))).not.toContain(fireworks.apiKey);
  });

  it('Cancel stops the job at Fireworks', async () => {
    const { job } = await startFireworksJob();
    fireworks.run(job.id, 10, 0);
    const res = await h.post(
      interactionBody(
        blockAction({ actionId: JOB_CANCEL_ACTION_ID, value: job.id, userId: 'U0ASKER', channelId: 'C0JOBS' }),
      ),
    );
    expect(res.status).toBe(200);
    expect((await waitForJob(h, (j) => j.id === job.id && j.phase === 'cancelled')).phase).toBe('cancelled');
    expect(fireworks.requestsTo('POST', /:cancel$/)).toHaveLength(1);
  });
});
