import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { NOTICE_EVENT_TYPE } from '../../src/slack/job-notice-lookup.ts';
import { openStore } from '../../src/store/index.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { FakeSlack, type StoredMessage } from '../support/fake-slack.ts';
import { interactionBody, postSigned, viewSubmission } from '../support/slack-request.ts';
import { type BotProcess, killBot, spawnBot } from './bot-process.ts';
import { startValues } from './job-flow.ts';

/**
 * SIGKILL at many moments of a hosted job's life — while the file uploads, while the provider job
 * is created, as the job message goes out, while it runs, as its ending and its loss curve go out —
 * each followed by a restart on the same database. Whatever the moment: one provider job per
 * record, no record left starting, each notice in Slack exactly once. Prints its counts.
 */

const SECRET = 'chaos-signing-secret';
const slack = new FakeSlack();
const openai = new FakeOpenAI();

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const trainFile = `${Array.from({ length: 40 }, (_, i) => example(i)).join('\n')}\n`;

type Bot = BotProcess;

const startBot = (dir: string, db: string): Promise<Bot> =>
  spawnBot(
    {
      SLACK_BOT_TOKEN: 'xoxb-chaos-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_URL: `sqlite:${db}`,
      OPENAI_API_KEY: 'sk-chaos-test-key',
      OPENAI_BASE_URL: openai.baseUrl,
      POLL_CRON: '* * * * * *',
      NOTICE_LEASE_SECONDS: '1',
    },
    dir,
  );
const kill = killBot;

async function submitJob(bot: Bot, n: number): Promise<void> {
  const post = (body: string) => postSigned(`http://127.0.0.1:${bot.port}/slack/events`, body, SECRET);
  const fileUrl = slack.serve(`tickets-${n}.jsonl`, { body: trainFile });
  const before = slack.callsTo('views.update').length;
  await post(
    interactionBody(
      viewSubmission({
        callbackId: JOB_START_CALLBACK_ID,
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values: startValues({ fileUrl }),
      }),
    ),
  );
  const updates = await slack.waitFor('views.update', before + 1, 15_000);
  const review = updates.at(-1)?.args.view as { private_metadata: string };
  await post(
    interactionBody(
      viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata: review.private_metadata, values: {} }),
    ),
  );
}

async function readJob(db: string): Promise<JobRecord | undefined> {
  const store = openStore({ kind: 'sqlite', path: db });
  try {
    return (await store.listJobs({ teamId: 'T0001', channelId: 'C0JOBS', limit: 1 }))[0];
  } finally {
    await store.close();
  }
}

const noticeOf = (m: StoredMessage) =>
  m.metadata?.event_type === NOTICE_EVENT_TYPE
    ? { job: String(m.metadata.event_payload.job_id), key: String(m.metadata.event_payload.notice) }
    : undefined;

type Moment = 'upload' | 'create' | 'message' | 'running' | 'ending' | 'curve';
const MOMENTS: Moment[] = ['upload', 'create', 'message', 'running', 'ending', 'curve'];
/** Milliseconds after the moment is seen that the kill lands: at once, and a little later. */
const JITTERS = [0, 150];

beforeAll(async () => {
  await slack.start();
  await openai.start();
});
afterAll(async () => {
  await slack.stop();
  await openai.stop();
});

describe('SIGKILL at random moments of a hosted job’s life', () => {
  it('leaves no provider job without a record, no record starting, no notice lost or doubled', async () => {
    const tally = { runs: 0, kills: 0, providerJobs: 0, notices: 0, doubled: 0, lost: 0, stuck: 0 };
    let n = 0;
    for (const moment of MOMENTS) {
      for (const jitter of JITTERS) {
        n++;
        const dir = mkdtempSync(join(tmpdir(), 'ftbot-chaos-'));
        const db = join(dir, 'bot.db');
        const callsBefore = slack.calls.length;
        const seen = (method: string, match: (args: Record<string, unknown>) => boolean = () => true) =>
          slack.calls.slice(callsBefore).some((c) => c.method === method && match(c.args));
        // Slow enough that a kill can land inside the provider's calls.
        openai.delay((r) => r.method === 'POST' && r.path === '/files', 400);
        openai.delay((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs', 400);
        let bot = await startBot(dir, db);
        const requestsBefore = openai.requests.length;
        const asked = (method: string, path: string) =>
          openai.requests.slice(requestsBefore).some((r) => r.method === method && r.path === path);
        await submitJob(bot, n);

        const until = async (ready: () => boolean | Promise<boolean>) =>
          expect.poll(ready, { timeout: 20_000, interval: 10 }).toBe(true);
        const stored = () => readJob(db).catch(() => undefined);
        let providerJob: string | undefined;
        const ours = () => [...openai.jobs.values()].filter((j) => j.id === providerJob);
        const advanceToEnd = async () => {
          providerJob = (await stored())?.providerJobId ?? undefined;
          openai.advance(providerJob as string, { status: 'running' }, [FakeOpenAI.metrics(1, 2, 1.9)]);
        };
        const finish = () =>
          openai.advance(
            providerJob as string,
            {
              status: 'succeeded',
              fine_tuned_model: `ft:gpt-4.1-mini-2025-04-14:acme::chaos${n}`,
              trained_tokens: 3000,
              finished_at: Math.floor(Date.now() / 1000),
            },
            [FakeOpenAI.metrics(2, 2, 1.1)],
          );

        if (moment === 'upload') await until(() => asked('POST', '/files'));
        if (moment === 'create') await until(() => asked('POST', '/fine_tuning/jobs'));
        if (moment === 'message')
          await until(() => seen('chat.postMessage', (a) => a.channel === 'C0JOBS' && !a.thread_ts));
        if (moment === 'running' || moment === 'ending' || moment === 'curve') {
          await until(async () => ((await stored())?.providerJobId ?? null) !== null);
          await advanceToEnd();
          if (moment !== 'running') {
            const job = (await stored()) as JobRecord;
            await until(() =>
              slack.messages.some((m) => noticeOf(m)?.job === job.id && noticeOf(m)?.key === 'status:running'),
            );
          }
          if (moment === 'running') await until(() => seen('chat.postMessage', (a) => Boolean(a.thread_ts)));
        }
        if (moment === 'ending' || moment === 'curve') {
          finish();
          if (moment === 'ending')
            await until(() => seen('chat.postMessage', (a) => String(JSON.stringify(a.metadata)).includes('finished')));
          if (moment === 'curve') await until(() => seen('files.getUploadURLExternal'));
        }
        await new Promise((r) => setTimeout(r, jitter));
        await kill(bot);
        tally.kills++;

        bot = await startBot(dir, db);
        await until(async () => ((await stored())?.providerJobId ?? null) !== null);
        if (providerJob === undefined) await advanceToEnd();
        if (moment !== 'ending' && moment !== 'curve') {
          // The running state is seen (and said) before the ending, as a real job's would be.
          const job = (await stored()) as JobRecord;
          await until(() =>
            slack.messages.some((m) => noticeOf(m)?.job === job.id && noticeOf(m)?.key === 'status:running'),
          );
          finish();
        }
        await until(async () => (await stored())?.phase === 'succeeded');
        await until(
          () => slack.calls.slice(callsBefore).filter((c) => c.method === 'files.completeUploadExternal').length >= 1,
        );
        await new Promise((r) => setTimeout(r, 1500)); // a few more rounds: nothing more is said
        await kill(bot);

        const job = (await readJob(db)) as JobRecord;
        const mine = slack.messages.map(noticeOf).filter((x) => x?.job === job.id);
        const counts = new Map<string, number>();
        for (const m of mine) counts.set(m?.key as string, (counts.get(m?.key as string) ?? 0) + 1);
        const curves = slack.messages.filter((m) => m.files?.some((f) => f.name === `${job.id}-loss.png`)).length;
        const jobsAtProvider = [...openai.jobs.values()].filter((j) => j.metadata?.ftbot_job_id === job.id).length;
        tally.runs++;
        tally.providerJobs += jobsAtProvider;
        tally.notices += mine.length + curves;
        tally.doubled += [...counts.values()].filter((c) => c > 1).length + (curves > 1 ? 1 : 0);
        tally.lost +=
          ['message', 'status:running', 'finished'].filter((k) => !counts.has(k)).length + (curves === 0 ? 1 : 0);
        tally.stuck += job.phase === 'starting' ? 1 : 0;
        expect({
          moment,
          jitter,
          jobsAtProvider,
          phase: job.phase,
          counts: Object.fromEntries(counts),
          curves,
        }).toEqual({
          moment,
          jitter,
          jobsAtProvider: 1,
          phase: 'succeeded',
          counts: { message: 1, 'status:running': 1, finished: 1 },
          curves: 1,
        });
        expect(ours()).toHaveLength(1);
        openai.clearFailures();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(
      `chaos: ${tally.runs} runs, ${tally.kills} kills, ${tally.providerJobs} provider jobs, ${tally.notices} notices, ` +
        `${tally.lost} lost, ${tally.doubled} doubled, ${tally.stuck} stuck starting`,
    );
  }, 300_000);
});
