import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/store/types.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { newWebhookSecret, postWebhook, signWebhook, webhookEvent } from '../support/openai-webhook.ts';
import { replies, startJob, updates, useJobHarness, waitForJob } from './job-flow.ts';

/**
 * OpenAI's webhooks, over real signed HTTP to the running bot: an ending OpenAI tells us about is in
 * the channel within seconds, with the poll cron far away; anything unverified changes nothing.
 */

const SECRET = newWebhookSecret();
// Once a year: nothing in this file is announced because a round happened to run.
const { h, openai } = useJobHarness({ OPENAI_WEBHOOK_SECRET: SECRET, POLL_CRON: '0 0 1 1 *' });

const FIVE_MINUTES = 5 * 60_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const getJob = (id: string) => h.withStore((s) => s.getJob(id));

function send(body: string, headers: Record<string, string>) {
  return postWebhook(`${h.url}/webhooks/openai`, body, headers);
}

/** A job OpenAI reports running, seen so by the bot; the test's own round is the last for five minutes. */
async function runningJob(): Promise<JobRecord> {
  const { job } = await startJob(h, { fileId: 'file-abc123' });
  openai.advance(job.providerJobId as string, { status: 'running' }, [FakeOpenAI.metrics(1, 10, 2.2)]);
  h.advance(FIVE_MINUTES + 1000);
  await h.bot?.monitor.tick();
  const running = (await getJob(job.id)) as JobRecord;
  expect(running.phase).toBe('running');
  h.slack.reset();
  return running;
}

function succeedAtOpenAI(job: JobRecord, model: string) {
  openai.advance(
    job.providerJobId as string,
    { status: 'succeeded', fine_tuned_model: model, trained_tokens: 4000, finished_at: nowSeconds() },
    [FakeOpenAI.metrics(10, 10, 0.6), { message: 'The job has successfully completed' }],
  );
}

const retrieves = (job: JobRecord) => openai.requestsTo('GET', new RegExp(`^/fine_tuning/jobs/${job.providerJobId}$`));
const summaries = (job: JobRecord) =>
  replies(h).filter((r) => r.thread_ts === job.messageTs && /is ready/.test(r.text));

async function announced(job: JobRecord): Promise<void> {
  await waitForJob(h, (j) => j.id === job.id && j.phase === 'succeeded');
  expect(summaries(job)).toHaveLength(1);
  const final = updates(h).filter((u) => u.ts === job.messageTs);
  expect(JSON.stringify(final.at(-1)?.blocks)).toContain(':white_check_mark: Fine-tune');
}

/** A refused delivery: 400, no call to OpenAI, no word in Slack, the job as it was. */
async function refused(job: JobRecord, status: number): Promise<void> {
  const asked = retrieves(job).length;
  expect(status).toBe(400);
  await sleep(300);
  expect(retrieves(job)).toHaveLength(asked);
  expect(h.slack.calls).toEqual([]);
  expect((await getJob(job.id))?.phase).toBe('running');
}

describe('a fine_tuning.job.succeeded webhook signed by OpenAI', () => {
  it('announces the ending within seconds, with no round of the monitor, and answers before asking OpenAI', async () => {
    const job = await runningJob();
    succeedAtOpenAI(job, 'ft:gpt-4.1-mini-2025-04-14:acme::hook1');
    // OpenAI is slow to answer: the delivery must not wait for it (OpenAI gives up on slow endpoints).
    openai.delay((r) => r.method === 'GET' && r.path === `/fine_tuning/jobs/${job.providerJobId}`, 1500);

    const body = webhookEvent('fine_tuning.job.succeeded', job.providerJobId as string);
    const started = Date.now();
    expect(await send(body, signWebhook(body, SECRET))).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);

    await announced(job);
    expect(await getJob(job.id)).toMatchObject({ fineTunedModel: 'ft:gpt-4.1-mini-2025-04-14:acme::hook1' });
  });
});

describe('a delivery that is not verified', () => {
  it('with a wrong signature (another secret, or a changed body): 400, and nothing changes', async () => {
    const job = await runningJob();
    succeedAtOpenAI(job, 'ft:gpt-4.1-mini-2025-04-14:acme::forged');
    const body = webhookEvent('fine_tuning.job.succeeded', job.providerJobId as string);
    const headers = signWebhook(body, SECRET);

    await refused(job, await send(body, signWebhook(body, newWebhookSecret(), { id: headers['webhook-id'] })));
    await refused(job, await send(body.replace('"object"', '"objekt"'), headers));
    await refused(job, await send(body, { ...headers, 'webhook-signature': 'v1,bm90LWEtc2lnbmF0dXJl' }));
    await refused(job, await send(body, {}));

    // None of them used up the delivery's id: the real one still works.
    expect(await send(body, headers)).toBe(200);
    await announced(job);
  });

  it('signed more than five minutes ago: 400, and nothing changes', async () => {
    const job = await runningJob();
    succeedAtOpenAI(job, 'ft:gpt-4.1-mini-2025-04-14:acme::stale');
    const body = webhookEvent('fine_tuning.job.succeeded', job.providerJobId as string);

    await refused(job, await send(body, signWebhook(body, SECRET, { timestamp: nowSeconds() - 5 * 60 - 30 })));

    // The job still ends, on the next round that is due.
    h.advance(FIVE_MINUTES);
    await h.bot?.monitor.tick();
    await announced(job);
  });
});

describe('a delivery OpenAI sends again (same webhook-id)', () => {
  it('is answered 200 and does nothing: no second call to OpenAI, nothing posted twice', async () => {
    const job = await runningJob();
    // OpenAI says the job ended before its API does: the first delivery's poll finds it running.
    const early = webhookEvent('fine_tuning.job.succeeded', job.providerJobId as string);
    const earlyHeaders = signWebhook(early, SECRET);
    const asked = retrieves(job).length;
    expect(await send(early, earlyHeaders)).toBe(200);
    const until = Date.now() + 5000;
    while (retrieves(job).length === asked && Date.now() < until) await sleep(10);
    await sleep(300);
    expect(retrieves(job)).toHaveLength(asked + 1);

    // Resent: signed afresh, under the same id.
    const resent = signWebhook(early, SECRET, { id: earlyHeaders['webhook-id'], timestamp: nowSeconds() + 1 });
    expect(await send(early, resent)).toBe(200);
    await sleep(300);
    expect(retrieves(job)).toHaveLength(asked + 1);

    // The real ending, then a resend of it: one summary.
    succeedAtOpenAI(job, 'ft:gpt-4.1-mini-2025-04-14:acme::twice');
    const ended = webhookEvent('fine_tuning.job.succeeded', job.providerJobId as string);
    const endedHeaders = signWebhook(ended, SECRET);
    expect(await send(ended, endedHeaders)).toBe(200);
    await announced(job);
    const calls = h.slack.calls.length;
    const asked2 = retrieves(job).length;
    expect(await send(ended, endedHeaders)).toBe(200);
    await sleep(300);
    expect(h.slack.calls).toHaveLength(calls);
    expect(retrieves(job)).toHaveLength(asked2);
    expect(summaries(job)).toHaveLength(1);
  });
});

describe('a verified delivery about nothing of ours', () => {
  it('an unknown job id, or another event type: 200, and nothing happens', async () => {
    const job = await runningJob();
    const before = openai.requests.length;
    for (const [type, id] of [
      ['fine_tuning.job.succeeded', 'ftjob-not-ours'],
      ['fine_tuning.job.failed', 'ftjob-not-ours'],
      ['batch.completed', job.providerJobId as string],
    ] as const) {
      const body = webhookEvent(type, id);
      expect(await send(body, signWebhook(body, SECRET))).toBe(200);
    }
    await sleep(300);
    expect(openai.requests).toHaveLength(before);
    expect(h.slack.calls).toEqual([]);
    expect((await getJob(job.id))?.phase).toBe('running');
    // Tidy up for the next test: the job ends by its webhook.
    succeedAtOpenAI(job, 'ft:gpt-4.1-mini-2025-04-14:acme::tidy');
    const body = webhookEvent('fine_tuning.job.succeeded', job.providerJobId as string);
    expect(await send(body, signWebhook(body, SECRET))).toBe(200);
    await announced(job);
  });
});

describe('with the webhook configured, the monitor’s rounds', () => {
  it('poll an OpenAI job at most every five minutes, for its progress', async () => {
    const job = await runningJob();
    const before = openai.requests.length;
    h.advance(31_000);
    await h.bot?.monitor.tick();
    h.advance(FIVE_MINUTES - 60_000);
    await h.bot?.monitor.tick();
    expect(openai.requests).toHaveLength(before);

    openai.advance(job.providerJobId as string, {}, [FakeOpenAI.metrics(5, 10, 1.1)]);
    h.advance(60_000);
    await h.bot?.monitor.tick();
    expect(openai.requests.length).toBeGreaterThan(before);
    expect((await getJob(job.id))?.progress).toMatchObject({ step: 5, trainLoss: 1.1 });
  });

  it('and GET /webhooks/openai is not served, nor a body far larger than any event', async () => {
    const res = await fetch(`${h.url}/webhooks/openai`);
    expect(res.status).toBe(404);
    const huge = webhookEvent('fine_tuning.job.succeeded', 'x'.repeat(300_000));
    expect(await send(huge, signWebhook(huge, SECRET))).toBe(413);
  });
});
