import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { NOTICE_EVENT_TYPE } from '../../src/slack/job-notice-lookup.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { FakeSlack, type StoredMessage } from '../support/fake-slack.ts';
import { createTestSchema, describePostgres, type TestSchema } from '../support/postgres.ts';
import { interactionBody, postSigned, sign, uploadedFile, viewSubmission } from '../support/slack-request.ts';
import { type BotProcess, spawnBot } from './bot-process.ts';
import { startValues } from './job-flow.ts';

/**
 * Two bot processes on one PostgreSQL database, jobs moving through their states at a fake OpenAI,
 * one replica SIGKILLed half-way: every transition is announced exactly once, by whichever replica
 * holds the job, and the survivor takes the dead one's jobs over once their leases run out.
 */

const SECRET = 'replica-signing-secret';
const JOBS = 3;
const slack = new FakeSlack();
const openai = new FakeOpenAI();
let schema: TestSchema | undefined;
const bots: BotProcess[] = [];

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const trainFile = `${Array.from({ length: 40 }, (_, i) => example(i)).join('\n')}\n`;

async function startBot(url: string) {
  const bot = await spawnBot({
    SLACK_BOT_TOKEN: 'xoxb-replica-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    DATABASE_URL: url,
    OPENAI_API_KEY: 'sk-replica-test-key',
    OPENAI_BASE_URL: openai.baseUrl,
    POLL_CRON: '* * * * * *',
    NOTICE_LEASE_SECONDS: '2',
  });
  bots.push(bot);
  return bot;
}

beforeAll(async () => {
  await slack.start();
  await openai.start();
});
afterAll(async () => {
  for (const b of bots) b.child.kill('SIGKILL');
  await slack.stop();
  await openai.stop();
  await schema?.drop();
});

const post = (port: number, body: string) => postSigned(`http://127.0.0.1:${port}/slack/events`, body, SECRET);

/**
 * One job through the form and its review on the replica at `port` (the load balancer's pick).
 * `retryOn`: Slack also resends the review's submission (x-slack-retry-num) and the load balancer
 * sends that copy to the other replica.
 */
async function submitJob(port: number, n: number, retryOn?: number): Promise<void> {
  const fileUrl = slack.serve(`tickets-${n}.jsonl`, { body: trainFile });
  const values = startValues({ fileUrl });
  values.file.value.files = [
    uploadedFile({ name: 'tickets.jsonl', url: fileUrl, size: trainFile.length, id: `F0TRAIN${n}` }),
  ];
  const before = slack.callsTo('views.update').length;
  await post(
    port,
    interactionBody(
      viewSubmission({
        callbackId: JOB_START_CALLBACK_ID,
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values,
        viewId: `V0REPLICA${n}`,
      }),
    ),
  );
  const updates = await slack.waitFor('views.update', before + 1, 15_000);
  const review = updates.at(-1)?.args.view as { private_metadata: string };
  const confirm = interactionBody(
    viewSubmission({
      callbackId: JOB_REVIEW_CALLBACK_ID,
      privateMetadata: review.private_metadata,
      values: {},
      viewId: `V0REVIEW${n}`,
    }),
  );
  const [res] = await Promise.all([
    post(port, confirm),
    ...(retryOn
      ? [
          postSigned(`http://127.0.0.1:${retryOn}/slack/events`, confirm, SECRET, undefined, {
            ...sign(confirm, SECRET),
            'x-slack-retry-num': '1',
            'x-slack-retry-reason': 'http_timeout',
          }),
        ]
      : []),
  ]);
  expect(res?.json()).toEqual({ response_action: 'clear' });
}

const noticeKey = (m: StoredMessage) =>
  m.metadata?.event_type === NOTICE_EVENT_TYPE
    ? `${String(m.metadata.event_payload.job_id)} ${String(m.metadata.event_payload.notice)}`
    : undefined;

describePostgres('two replicas on PostgreSQL', () => {
  it('announce every transition exactly once, also after one of them is killed', async () => {
    schema = await createTestSchema();
    const a = await startBot(schema.url);
    const b = await startBot(schema.url);
    // The first job's review is also resent by Slack, and that copy lands on the other replica.
    for (let n = 0; n < JOBS; n++) await submitJob(n % 2 === 0 ? a.port : b.port, n, n === 0 ? b.port : undefined);
    await expect.poll(() => [...openai.jobs.values()].length, { timeout: 20_000 }).toBe(JOBS);
    expect((await schema.query('SELECT count(*)::int AS n FROM jobs')).rows[0]?.n).toBe(JOBS);
    const ids = [...openai.jobs.keys()];

    for (const id of ids) openai.advance(id, { status: 'running' }, [FakeOpenAI.metrics(1, 3, 2.1)]);
    const running = () => slack.messages.filter((m) => noticeKey(m)?.endsWith(' status:running')).length;
    await expect.poll(running, { timeout: 20_000 }).toBe(JOBS);

    // The replica watching jobs dies mid-way (the one holding a job lease); the jobs go on to their ending.
    const owners = (await schema.query("SELECT DISTINCT owner FROM leases WHERE name LIKE 'job:%'")).rows.map(
      (r: { owner: string }) => r.owner,
    );
    const victim = owners.includes(a.replica) ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    for (const id of ids) {
      openai.advance(id, {}, [FakeOpenAI.metrics(2, 3, 1.4), FakeOpenAI.metrics(3, 3, 0.9)]);
      openai.advance(id, {
        status: 'succeeded',
        fine_tuned_model: `ft:gpt-4.1-mini-2025-04-14:acme:tickets:${id.slice(-4)}`,
        trained_tokens: 4200,
        finished_at: Math.floor(Date.now() / 1000),
      });
    }
    const finished = () => slack.messages.filter((m) => noticeKey(m)?.endsWith(' finished')).length;
    await expect.poll(finished, { timeout: 30_000 }).toBe(JOBS);
    await expect.poll(() => slack.callsTo('files.completeUploadExternal').length, { timeout: 15_000 }).toBe(JOBS);
    // A few more rounds: nothing more is said.
    await new Promise((r) => setTimeout(r, 2500));

    const counts = new Map<string, number>();
    for (const m of slack.messages) {
      const key = noticeKey(m);
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const doubled = [...counts].filter(([, n]) => n > 1);
    console.log(
      `replicas: ${counts.size} notices for ${JOBS} jobs, ${doubled.length} doubled, ` +
        `${slack.callsTo('files.completeUploadExternal').length} loss curves`,
    );
    expect(doubled).toEqual([]);
    const jobIds = new Set([...counts.keys()].map((k) => k.split(' ')[0]));
    expect(jobIds.size).toBe(JOBS);
    for (const job of jobIds) {
      for (const key of ['message', 'status:running', 'finished']) expect(counts.get(`${job} ${key}`)).toBe(1);
    }
    expect(survivor.out()).toMatch(/took over a job/);
  }, 120_000);
});
