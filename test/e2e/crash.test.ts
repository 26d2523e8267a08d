import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { NOTICE_EVENT_TYPE } from '../../src/slack/job-notice-lookup.ts';
import { openStore } from '../../src/store/index.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { FakeSlack, type StoredMessage } from '../support/fake-slack.ts';
import { interactionBody, postSigned, viewSubmission } from '../support/slack-request.ts';
import { startValues } from './job-flow.ts';

/**
 * The crash windows of a job's life, for real: the bot runs as its own process, a Slack call is
 * held (carried out by Slack, or lost) while the process is SIGKILLed, and a new process starts on
 * the same database. Whatever the window, each notice is in Slack exactly once afterwards.
 */

const MAIN = resolve('src/main.ts');
const SECRET = 'crash-signing-secret';
const slack = new FakeSlack();
const openai = new FakeOpenAI();
let dir: string;
let bot: { child: ChildProcess; port: number } | undefined;

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const trainFile = `${Array.from({ length: 60 }, (_, i) => example(i)).join('\n')}\n`;

beforeAll(async () => {
  await slack.start();
  await openai.start();
});
afterAll(async () => {
  await slack.stop();
  await openai.stop();
});
afterEach(() => {
  bot?.child.kill('SIGKILL');
  bot = undefined;
  slack.reset();
  openai.clearFailures();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startBot(db: string, leaseSeconds = 1): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: 'xoxb-crash-test',
      SLACK_SIGNING_SECRET: SECRET,
      AZURE_RETAIL_PRICES_URL: 'off', // tests never reach prices.azure.com
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_URL: `sqlite:${db}`,
      OPENAI_API_KEY: 'sk-crash-test-key',
      OPENAI_BASE_URL: openai.baseUrl,
      POLL_CRON: '* * * * * *',
      NOTICE_LEASE_SECONDS: String(leaseSeconds),
      LOG_LEVEL: 'info',
    },
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  await expect.poll(() => out, { timeout: 15_000 }).toContain('finetune-bot is running');
  const line = out.split('\n').find((l) => l.includes('finetune-bot is running')) ?? '{}';
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

async function kill(b: { child: ChildProcess }): Promise<void> {
  b.child.kill('SIGKILL');
  if (b.child.exitCode === null && b.child.signalCode === null) await once(b.child, 'exit');
}

function post(body: string) {
  return postSigned(`http://127.0.0.1:${bot?.port}/slack/events`, body, SECRET);
}

/** The form and the review step, as a person goes through them; the job then starts in the bot. */
async function submitJob(): Promise<void> {
  const fileUrl = slack.serve('tickets.jsonl', { body: trainFile });
  await post(
    interactionBody(
      viewSubmission({
        callbackId: JOB_START_CALLBACK_ID,
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values: startValues({ fileUrl }),
      }),
    ),
  );
  const [update] = await slack.waitFor('views.update', 1, 10_000);
  const review = update?.args.view as { private_metadata: string };
  const res = await post(
    interactionBody(
      viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata: review.private_metadata, values: {} }),
    ),
  );
  expect(res.json()).toEqual({ response_action: 'clear' });
}

function readJob(db: string): Promise<JobRecord | undefined> {
  const store = openStore({ kind: 'sqlite', path: db });
  return store
    .listJobs({ teamId: 'T0001', channelId: 'C0JOBS', limit: 1 })
    .then((jobs) => jobs[0])
    .finally(() => store.close());
}

async function waitForJob(db: string, ready: (j: JobRecord) => boolean, ms = 20_000): Promise<JobRecord> {
  let job: JobRecord | undefined;
  await expect
    .poll(
      async () => {
        job = await readJob(db).catch(() => undefined);
        return job !== undefined && ready(job);
      },
      { timeout: ms, interval: 100 },
    )
    .toBe(true);
  return job as JobRecord;
}

const notice = (m: StoredMessage) =>
  m.metadata?.event_type === NOTICE_EVENT_TYPE ? String(m.metadata.event_payload.notice) : undefined;
const noticesOf = (jobId: string, key: string) =>
  slack.messages.filter((m) => m.metadata?.event_payload.job_id === jobId && notice(m) === key);

describe.each([
  ['carried out by Slack', true],
  ['lost on the way', false],
])('a crash while a post is in flight, %s', (_how, applied) => {
  it('posts the job message once, and the job goes on after the restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ftbot-crash-'));
    const db = join(dir, 'bot.db');
    bot = await startBot(db);
    slack.hold('chat.postMessage', (args) => args.channel === 'C0JOBS' && !args.thread_ts, applied);
    await submitJob();
    await slack.waitFor('chat.postMessage', 1, 10_000);
    await kill(bot);
    const cut = await waitForJob(db, () => true);
    expect(cut).toMatchObject({ phase: 'starting', messageTs: null });

    bot = await startBot(db);
    const job = await waitForJob(db, (j) => j.providerJobId !== null);
    const messages = noticesOf(job.id, 'message');
    expect(messages).toHaveLength(1);
    expect(job.messageTs).toBe(messages[0]?.ts);
    expect([...openai.jobs.values()].filter((j) => j.metadata?.ftbot_job_id === job.id)).toHaveLength(1);
  }, 60_000);

  it('posts the summary once when the process dies while posting it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ftbot-crash-'));
    const db = join(dir, 'bot.db');
    bot = await startBot(db);
    await submitJob();
    const started = await waitForJob(db, (j) => j.providerJobId !== null && j.lastEditAt !== null);
    const providerJob = started.providerJobId as string;
    slack.hold('chat.postMessage', (args) => notice(args as unknown as StoredMessage) === 'finished', applied);
    openai.advance(providerJob, { status: 'running' }, [
      FakeOpenAI.metrics(1, 3, 2.1),
      FakeOpenAI.metrics(2, 3, 1.4),
      FakeOpenAI.metrics(3, 3, 0.9),
    ]);
    openai.advance(providerJob, {
      status: 'succeeded',
      fine_tuned_model: 'ft:gpt-4.1-mini-2025-04-14:acme:tickets:crash1',
      trained_tokens: 4200,
      finished_at: Math.floor(Date.now() / 1000),
    });
    await expect
      .poll(() => slack.callsTo('chat.postMessage').filter((c) => c.args.metadata !== undefined).length, {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    await expect
      .poll(
        () => slack.callsTo('chat.postMessage').some((c) => notice(c.args as unknown as StoredMessage) === 'finished'),
        { timeout: 15_000 },
      )
      .toBe(true);
    await kill(bot);
    expect((await readJob(db))?.phase).not.toBe('succeeded');

    // The bot posts in C0JOBS uninvited (chat:write.public): to look there it must join first.
    slack.notAMemberOf('C0JOBS');
    bot = await startBot(db);
    const done = await waitForJob(db, (j) => j.phase === 'succeeded');
    await expect.poll(() => slack.callsTo('files.completeUploadExternal').length, { timeout: 10_000 }).toBe(1);
    expect(noticesOf(done.id, 'finished')).toHaveLength(1);
    const curves = slack.messages.filter((m) => m.files?.some((f) => f.name === `${done.id}-loss.png`));
    expect(curves).toHaveLength(1);
    if (applied) expect(slack.callsTo('conversations.join')).toHaveLength(1);
    // A later restart finds everything said and says nothing more.
    await kill(bot);
    const before = slack.calls.length;
    bot = await startBot(db);
    await new Promise((r) => setTimeout(r, 2500));
    const after = slack.calls.slice(before).map((c) => c.method);
    expect(after.filter((m) => m === 'chat.postMessage' || m.startsWith('files.'))).toEqual([]);
  }, 90_000);

  it('uploads the loss curve once when the process dies uploading it, and restarts within the lease', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ftbot-crash-'));
    const db = join(dir, 'bot.db');
    bot = await startBot(db, 4);
    await submitJob();
    const started = await waitForJob(db, (j) => j.providerJobId !== null && j.lastEditAt !== null);
    const providerJob = started.providerJobId as string;
    slack.hold('files.completeUploadExternal', () => true, applied);
    openai.advance(providerJob, { status: 'running' }, [FakeOpenAI.metrics(1, 2, 2.1), FakeOpenAI.metrics(2, 2, 1.2)]);
    openai.advance(providerJob, {
      status: 'succeeded',
      fine_tuned_model: 'ft:gpt-4.1-mini-2025-04-14:acme:tickets:crash2',
      trained_tokens: 4200,
      finished_at: Math.floor(Date.now() / 1000),
    });
    await slack.waitFor('files.completeUploadExternal', 1, 15_000);
    await kill(bot);

    // Back before the dead process's claim has run out: the curve waits for it, then goes out once.
    bot = await startBot(db, 4);
    const done = await waitForJob(db, (j) => j.phase === 'succeeded', 30_000);
    const curves = slack.messages.filter((m) => m.files?.some((f) => f.name === `${done.id}-loss.png`));
    expect(curves).toHaveLength(1);
    expect(noticesOf(done.id, 'finished')).toHaveLength(1);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(applied ? 1 : 2);
  }, 90_000);
});
