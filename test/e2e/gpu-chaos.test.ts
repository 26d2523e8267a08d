import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_EVENT_TYPE } from '../../src/slack/job-notice-lookup.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import { openStore } from '../../src/store/index.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { PYTHON, STANDIN } from '../providers/gpu/provider-helpers.ts';
import { FakeSlack, type StoredMessage } from '../support/fake-slack.ts';
import { type Sshd, startSshd } from '../support/sshd.ts';
import { type BotProcess, killBot, spawnBot } from './bot-process.ts';

/**
 * SIGKILL at many moments of a job's life on a GPU host over SSH — while its file is copied and the
 * trainer launched, as its message goes out, while it trains, as its ending and its loss curve go
 * out — each followed by a restart on the same database. The host is a real OpenSSH server; the
 * trainer is the stand-in (it speaks the real events protocol, and trains nothing), run by a
 * `python` the host config names, so the bot runs exactly as it would. Whatever the moment: one
 * training run per job, no job left starting, each notice in Slack exactly once. Prints its counts.
 */

const SECRET = 'gpu-chaos-signing-secret';
const slack = new FakeSlack();
let sshd: Sshd;
let python: string;

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const TRAIN = `${Array.from({ length: 30 }, (_, i) => example(i)).join('\n')}\n`;

beforeAll(async () => {
  sshd = await startSshd();
  await slack.start();
  // The host's "python": runs the stand-in in place of the train_lora.py the bot installed, with the
  // installed ftbot_trainer package beside it on the path.
  const bin = mkdtempSync(join(tmpdir(), 'ftbot-chaos-py-'));
  python = join(bin, 'python3');
  writeFileSync(python, `#!/bin/sh\ndir=$(dirname "$1")\nshift\nPYTHONPATH="$dir" exec ${PYTHON} ${STANDIN} "$@"\n`);
  chmodSync(python, 0o755);
});
afterAll(async () => {
  await slack.stop();
  await sshd?.stop();
});

type Bot = BotProcess;

const startBot = (dir: string, db: string): Promise<Bot> =>
  spawnBot(
    {
      SLACK_BOT_TOKEN: 'xoxb-gpu-chaos-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_URL: `sqlite:${db}`,
      POLL_CRON: '* * * * * *',
      NOTICE_LEASE_SECONDS: '1',
      GPU_SSH_HOST: sshd.host,
      GPU_SSH_PORT: String(sshd.port),
      GPU_SSH_USER: sshd.user,
      GPU_SSH_KEY_PATH: sshd.userKey.path,
      GPU_SSH_HOST_KEY: sshd.hostKey.fingerprintLine,
      GPU_SSH_NAME: 'h100-1',
      GPU_SSH_PYTHON: python,
      GPU_SSH_WORK_DIR: `${sshd.dir}/jobs`,
      GPU_SSH_GPU_TYPE: 'H100-80GB',
    },
    dir,
  );
const kill = killBot;

async function withStore<T>(db: string, fn: (s: ReturnType<typeof openStore>) => Promise<T>): Promise<T> {
  const store = openStore({ kind: 'sqlite', path: db });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const noticeOf = (m: StoredMessage) =>
  m.metadata?.event_type === NOTICE_EVENT_TYPE
    ? { job: String(m.metadata.event_payload.job_id), key: String(m.metadata.event_payload.notice) }
    : undefined;

type Moment = 'starting' | 'message' | 'running' | 'ending' | 'curve';
const MOMENTS: Array<[Moment, number]> = [
  // Shortly after a start picks the job up: the file may be on its way to the host, or the trainer
  // being launched (the moments are timed, not observed: SFTP writes are not visible from here).
  ['starting', 150],
  ['starting', 600],
  ['message', 0],
  ['running', 0],
  ['running', 400],
  ['ending', 0],
  ['curve', 0],
];

describe('SIGKILL at random moments of a GPU job’s life (SSH host)', () => {
  it('leaves one training run per job, none starting, no notice lost or doubled', async () => {
    const tally = { runs: 0, kills: 0, trainingRuns: 0, notices: 0, lost: 0, doubled: 0, stuck: 0 };
    let n = 0;
    for (const [moment, jitter] of MOMENTS) {
      n++;
      const dir = mkdtempSync(join(tmpdir(), 'ftbot-gpu-chaos-'));
      const db = join(dir, 'bot.db');
      const url = slack.serve(`tickets-gpu-${n}.jsonl`, { body: TRAIN });
      const created = await withStore(db, (s) =>
        s.createJob({
          teamId: 'T0001',
          channelId: 'C0JOBS',
          requestedBy: 'U0ASKER',
          provider: 'gpu',
          phase: 'starting',
          estimateUsd: null,
          request: {
            model: 'standin/ok-6x300',
            method: 'supervised',
            hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
            lora: LORA_DEFAULTS,
            host: 'h100-1',
            slackFile: { id: `F0GPU${n}`, name: 'tickets.jsonl', url, bytes: TRAIN.length },
          },
        }),
      );
      const mine = () => slack.messages.map(noticeOf).filter((x) => x?.job === created.id);
      const said = (key: string) => mine().some((x) => x?.key === key);
      const until = (ready: () => boolean | Promise<boolean>) =>
        expect.poll(ready, { timeout: 30_000, interval: 20 }).toBe(true);

      // A bot on the database finds the job starting and starts it (resumeJobs).
      let bot = await startBot(dir, db);
      if (moment === 'message') await until(() => said('message'));
      if (moment === 'running') await until(() => said('status:running'));
      if (moment === 'ending') await until(() => said('finished'));
      if (moment === 'curve')
        await until(() => slack.callsTo('files.getUploadURLExternal').length > 0 && said('finished'));
      await new Promise((r) => setTimeout(r, jitter));
      await kill(bot);
      tally.kills++;

      bot = await startBot(dir, db);
      await until(async () => (await withStore(db, (s) => s.getJob(created.id)))?.phase === 'succeeded');
      await until(() => slack.messages.some((m) => m.files?.some((f) => f.name === `${created.id}-loss.png`)));
      await new Promise((r) => setTimeout(r, 1500)); // a few more rounds: nothing more is said
      await kill(bot);

      const job = (await withStore(db, (s) => s.getJob(created.id))) as JobRecord;
      const counts = new Map<string, number>();
      for (const m of mine()) counts.set(m?.key as string, (counts.get(m?.key as string) ?? 0) + 1);
      const curves = slack.messages.filter((m) => m.files?.some((f) => f.name === `${job.id}-loss.png`)).length;
      // One job folder on the host, one training run in it (its events start once).
      const folders = readdirSync(`${sshd.dir}/jobs`).filter((f) => f.startsWith(job.id));
      const events = `${sshd.dir}/jobs/${job.id}/events.jsonl`;
      const starts = existsSync(events)
        ? readFileSync(events, 'utf8')
            .split('\n')
            .filter((l) => l.includes('"started"')).length
        : 0;
      tally.runs++;
      tally.trainingRuns += starts;
      tally.notices += mine().length + curves;
      tally.doubled += [...counts.values()].filter((c) => c > 1).length + (curves > 1 ? 1 : 0);
      tally.lost += ['message', 'finished'].filter((k) => !counts.has(k)).length + (curves === 0 ? 1 : 0);
      tally.stuck += job.phase === 'starting' ? 1 : 0;
      expect({ moment, jitter, phase: job.phase, folders: folders.length, starts, curves }).toEqual({
        moment,
        jitter,
        phase: 'succeeded',
        folders: 1,
        starts: 1,
        curves: 1,
      });
      expect([...counts].filter(([, c]) => c !== 1)).toEqual([]);
      expect(counts.has('message') && counts.has('finished')).toBe(true);
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `gpu chaos: ${tally.runs} runs, ${tally.kills} kills, ${tally.trainingRuns} training runs, ${tally.notices} notices, ` +
        `${tally.lost} lost, ${tally.doubled} doubled, ${tally.stuck} stuck starting`,
    );
  }, 400_000);
});
