import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TickReport } from '../../src/jobs/monitor.ts';
import { createOpenAIWebhook, type ProviderWebhook } from '../../src/jobs/provider-webhook.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { JobPhase } from '../../src/store/types.ts';
import { newWebhookSecret, signWebhook, webhookEvent } from '../support/openai-webhook.ts';

const SECRET = newWebhookSecret();
const nowSeconds = () => Math.floor(Date.now() / 1000);
const ENDINGS = ['fine_tuning.job.succeeded', 'fine_tuning.job.failed', 'fine_tuning.job.cancelled'];

let store: Store;
let lines: string[];
let ticks: string[];
/** How many of the next ticks find the monitor busy (a round in progress) and do nothing. */
let busyTicks: number;
/** How many of the next polls find OpenAI's API still saying running (it lags its own webhook). */
let laggingTicks: number;
let webhook: ProviderWebhook;
let logger: Logger;

const monitor = {
  async tick(jobId?: string): Promise<TickReport> {
    ticks.push(jobId ?? '(round)');
    const report = { jobs: 1, changed: 0, edited: 0, finished: 0, failures: 0, ms: 0 };
    if (busyTicks-- > 0) return { ...report, skipped: true };
    // As the real monitor: a poll that sees the ending records it (unless the API lags).
    if (jobId && laggingTicks-- <= 0) await store.updateJob(jobId, { phase: 'succeeded' });
    return report;
  },
};

function build(retries = 3): ProviderWebhook {
  return createOpenAIWebhook({ secret: SECRET, store, monitor, logger, retryDelayMs: 5, retries });
}

beforeEach(() => {
  store = openStore({ kind: 'sqlite-memory' });
  lines = [];
  ticks = [];
  busyTicks = 0;
  laggingTicks = 0;
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  logger = createLogger('debug', stream);
  webhook = build();
});
afterEach(async () => {
  await webhook.drain(1000);
  await store.close();
});

async function job(providerJobId: string, o: { phase?: JobPhase; provider?: 'openai' | 'azure' } = {}) {
  const created = await store.createJob({
    teamId: 'T1',
    channelId: 'C1',
    requestedBy: 'U0DEV',
    provider: o.provider ?? 'openai',
    request: {
      model: 'gpt-4.1-mini-2025-04-14',
      method: 'supervised',
      hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
    },
    phase: 'starting',
    estimateUsd: 1,
  });
  return (await store.updateJob(created.id, { providerJobId, phase: o.phase ?? 'running' })) ?? created;
}

function delivery(type: string, jobId: string, o: Parameters<typeof signWebhook>[2] = {}, secret = SECRET) {
  const body = webhookEvent(type, jobId);
  return { body, headers: signWebhook(body, secret, o) };
}

/** Waits for the polls a delivery started (they run after the answer, never inside it). */
async function pollsSettled(count: number): Promise<void> {
  const until = Date.now() + 2000;
  while (ticks.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, 30)); // and nothing more comes
}

const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const refusals = () => logged().filter((l) => l.msg === 'refused an OpenAI webhook delivery');

describe('a delivery signed with the endpoint’s secret', () => {
  it('agrees with OpenAI’s SDK on what a good signature is', async () => {
    const { body, headers } = delivery('fine_tuning.job.succeeded', 'ftjob-x');
    const sdk = new OpenAI({ apiKey: 'unused', webhookSecret: SECRET });
    await expect(sdk.webhooks.unwrap(body, headers)).resolves.toMatchObject({ data: { id: 'ftjob-x' } });
  });

  it('for an ending of one of our jobs: answers 200 at once, then polls that one job', async () => {
    for (const [i, type] of ENDINGS.entries()) {
      const ours = await job(`ftjob-ours-${i}`);
      const { body, headers } = delivery(type, `ftjob-ours-${i}`);
      expect(await webhook.receive(body, headers)).toEqual({ status: 200, outcome: 'polling' });
      expect(ticks).toHaveLength(i); // answered before the poll began
      await pollsSettled(i + 1);
      expect(ticks.at(-1)).toBe(ours.id);
      expect(ticks).toHaveLength(i + 1);
    }
    expect(refusals()).toEqual([]);
  });

  it('when the monitor is busy with a round, tries again shortly, and stops once a poll ran', async () => {
    const ours = await job('ftjob-busy');
    busyTicks = 2;
    const { body, headers } = delivery('fine_tuning.job.failed', 'ftjob-busy');
    expect((await webhook.receive(body, headers)).status).toBe(200);
    await pollsSettled(3);
    expect(ticks).toEqual([ours.id, ours.id, ours.id]);
  });

  it('delivered again under the same webhook-id: answered 200, and nothing is done twice', async () => {
    await job('ftjob-twice');
    const { body, headers } = delivery('fine_tuning.job.succeeded', 'ftjob-twice');
    expect(await webhook.receive(body, headers)).toEqual({ status: 200, outcome: 'polling' });
    // A resend is signed afresh (a new timestamp), under the same id.
    const resent = signWebhook(body, SECRET, { id: headers['webhook-id'], timestamp: nowSeconds() + 1 });
    expect(await webhook.receive(body, resent)).toEqual({ status: 200, outcome: 'replayed' });
    await pollsSettled(1);
    expect(ticks).toHaveLength(1);
  });

  it('for a job that is not ours, not active, or not OpenAI’s: 200, and nothing is polled', async () => {
    await job('ftjob-done', { phase: 'succeeded' });
    await job('ftjob-azure', { provider: 'azure' });
    for (const id of ['ftjob-unknown', 'ftjob-done', 'ftjob-azure']) {
      const { body, headers } = delivery('fine_tuning.job.succeeded', id);
      expect(await webhook.receive(body, headers)).toEqual({ status: 200, outcome: 'unknown-job' });
    }
    await pollsSettled(0);
    expect(ticks).toEqual([]);
  });

  it('of another kind of event, or without a job id: 200, and nothing is polled', async () => {
    await job('ftjob-other');
    for (const type of ['batch.completed', 'response.completed', 'fine_tuning.job.created']) {
      const { body, headers } = delivery(type, 'ftjob-other');
      expect(await webhook.receive(body, headers)).toEqual({ status: 200, outcome: 'ignored' });
    }
    const body = JSON.stringify({ id: 'evt_1', type: 'fine_tuning.job.succeeded', data: {} });
    expect(await webhook.receive(body, signWebhook(body, SECRET))).toMatchObject({ status: 200, outcome: 'ignored' });
    await pollsSettled(0);
    expect(ticks).toEqual([]);
  });
});

describe('a delivery that cannot be verified', () => {
  const refused = { status: 400, outcome: 'refused' };

  it('is refused with 400, polls nothing, uses up no webhook-id, and logs one line with the reason only', async () => {
    await job('ftjob-target');
    const good = delivery('fine_tuning.job.succeeded', 'ftjob-target');
    const cases: Array<[string, string, Record<string, string>]> = [
      ['bad signature', good.body, signWebhook(good.body, newWebhookSecret(), { id: good.headers['webhook-id'] })],
      ['bad signature', good.body.replace('ftjob-target', 'ftjob-targez'), good.headers],
      ['stale timestamp', good.body, signWebhook(good.body, SECRET, { timestamp: nowSeconds() - 301 })],
      ['timestamp in the future', good.body, signWebhook(good.body, SECRET, { timestamp: nowSeconds() + 400 })],
      ['malformed timestamp', good.body, { ...good.headers, 'webhook-timestamp': 'soon' }],
      ['missing webhook-signature header', good.body, { ...good.headers, 'webhook-signature': '' }],
    ];
    for (const [, body, headers] of cases) expect(await webhook.receive(body, headers)).toEqual(refused);
    const { 'webhook-id': _, ...noId } = good.headers;
    expect(await webhook.receive(good.body, noId)).toEqual(refused);
    const duplicated = { ...good.headers, 'webhook-signature': [good.headers['webhook-signature'] as string] };
    expect(await webhook.receive(good.body, duplicated)).toEqual(refused);

    expect(refusals().map((l) => l.reason)).toEqual([
      ...cases.map(([reason]) => reason),
      'missing webhook-id header',
      'missing webhook-signature header',
    ]);
    const text = lines.join('');
    expect(text).not.toContain(SECRET.slice('whsec_'.length, 20));
    expect(text).not.toContain('ftjob-target'); // nothing of the body
    expect(text).not.toContain(good.headers['webhook-signature']);

    // The good one still counts: the refusals claimed nothing under its id.
    expect(await webhook.receive(good.body, good.headers)).toEqual({ status: 200, outcome: 'polling' });
    await pollsSettled(1);
    expect(ticks).toHaveLength(1);
  });

  it('signed but not JSON: refused, and says so', async () => {
    const body = '{"type": "fine_tuning.job.succeeded"';
    expect(await webhook.receive(body, signWebhook(body, SECRET))).toEqual(refused);
    expect(refusals().map((l) => l.reason)).toEqual(['signed body is not JSON']);
  });
});

describe('a shutdown', () => {
  it('stops the retries of a poll that keeps finding the monitor busy', async () => {
    await job('ftjob-late');
    webhook = build(1000);
    busyTicks = 1000;
    const { body, headers } = delivery('fine_tuning.job.cancelled', 'ftjob-late');
    await webhook.receive(body, headers);
    await pollsSettled(2);
    await webhook.drain(1000);
    const after = ticks.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(ticks.length).toBe(after);
    expect(after).toBeGreaterThanOrEqual(2);
  });
});

describe('an ending OpenAI announces before its API says so', () => {
  it('polls the job again, a little later each time, until its ending is recorded', async () => {
    const j = await job('ftjob-lag');
    laggingTicks = 2;
    const { body, headers } = delivery('fine_tuning.job.succeeded', 'ftjob-lag');
    expect(await webhook.receive(body, headers)).toMatchObject({ status: 200, outcome: 'polling' });
    await pollsSettled(3);
    expect(ticks).toEqual([j.id, j.id, j.id]);
    expect((await store.getJob(j.id))?.phase).toBe('succeeded');
  });
});
