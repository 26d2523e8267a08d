import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_EVENT_TYPE } from '../../src/slack/job-notice-lookup.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import { openStore } from '../../src/store/index.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { PYTHON } from '../providers/gpu/provider-helpers.ts';
import { FakeSlack, type StoredMessage } from '../support/fake-slack.ts';
import { type Sshd, startSshd } from '../support/sshd.ts';

/**
 * A crash while the `finished` notice of a GPU job is in flight, for real: the bot runs as its own
 * process with the real trainer (trainer/train_lora.py) on a real OpenSSH host, where no torch is
 * installed: the start's own pre-flight refuses the host (the packages are missing), so nothing is
 * launched and no training data is left behind. The thread reply with that ending is held
 * (carried out by Slack, or lost) while the process is SIGKILLed; a new process on the same
 * database says it exactly once.
 */

const MAIN = resolve('src/main.ts');
const SECRET = 'gpu-crash-signing-secret';
const slack = new FakeSlack();
let sshd: Sshd;
let dir: string;
let bot: ChildProcess | undefined;
let botOut = '';

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You route support tickets.' },
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const TRAIN = `${Array.from({ length: 60 }, (_, i) => example(i)).join('\n')}\n`;

beforeAll(async () => {
  sshd = await startSshd();
  await slack.start();
});
afterAll(async () => {
  await slack.stop();
  await sshd?.stop();
});
afterEach(() => {
  bot?.kill('SIGKILL');
  bot = undefined;
  slack.reset();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startBot(db: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: 'xoxb-gpu-crash-test',
      SLACK_SIGNING_SECRET: SECRET,
      AZURE_RETAIL_PRICES_URL: 'off', // tests never reach prices.azure.com
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_URL: `sqlite:${db}`,
      POLL_CRON: '* * * * * *',
      NOTICE_LEASE_SECONDS: '1',
      LOG_LEVEL: 'info',
      GPU_SSH_HOST: sshd.host,
      GPU_SSH_PORT: String(sshd.port),
      GPU_SSH_USER: sshd.user,
      GPU_SSH_KEY_PATH: sshd.userKey.path,
      GPU_SSH_HOST_KEY: sshd.hostKey.fingerprintLine,
      GPU_SSH_NAME: 'h100-1',
      GPU_SSH_PYTHON: PYTHON,
      GPU_SSH_WORK_DIR: `${sshd.dir}/jobs`,
      GPU_SSH_GPU_TYPE: 'H100-80GB',
    },
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d;
    botOut += d;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await expect.poll(() => out, { timeout: 15_000 }).toContain('finetune-bot is running');
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

async function withStore<T>(db: string, fn: (s: ReturnType<typeof openStore>) => Promise<T>): Promise<T> {
  const store = openStore({ kind: 'sqlite', path: db });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** A GPU job as the review leaves it once Start is pressed: 'starting', with its file still in Slack. */
function createStartingJob(db: string): Promise<JobRecord> {
  const url = slack.serve('tickets.jsonl', { body: TRAIN });
  return withStore(db, (s) =>
    s.createJob({
      teamId: 'T0001',
      channelId: 'C0JOBS',
      requestedBy: 'U0ASKER',
      provider: 'gpu',
      phase: 'starting',
      estimateUsd: null,
      request: {
        model: 'Qwen/Qwen2.5-0.5B-Instruct',
        method: 'supervised',
        hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
        lora: LORA_DEFAULTS,
        host: 'h100-1',
        slackFile: { id: 'F0TICKETS', name: 'tickets.jsonl', url, bytes: TRAIN.length },
      },
    }),
  );
}

async function waitForJob(db: string, id: string, ready: (j: JobRecord) => boolean, ms = 30_000): Promise<JobRecord> {
  let job: JobRecord | undefined;
  await expect
    .poll(
      async () => {
        job = await withStore(db, (s) => s.getJob(id)).catch(() => undefined);
        return job !== undefined && ready(job);
      },
      { timeout: ms, interval: 200, message: `job not ready: ${JSON.stringify(job)}\n${botOut.slice(-3000)}` },
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
])('a GPU job that fails for missing packages, its finished notice %s while the bot dies', (_how, applied) => {
  it('says how it ended once after the restart: refused by the host’s pre-flight, nothing left there', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ftbot-gpu-crash-'));
    botOut = '';
    const db = join(dir, 'bot.db');
    const created = await createStartingJob(db);
    // Older than the notice lease, so the resume loop takes it up as a start a restart cut off.
    await new Promise((r) => setTimeout(r, 1500));
    slack.hold('chat.postMessage', (args) => notice(args as unknown as StoredMessage) === 'finished', applied);
    bot = await startBot(db);
    await expect
      .poll(
        () => slack.callsTo('chat.postMessage').some((c) => notice(c.args as unknown as StoredMessage) === 'finished'),
        { timeout: 45_000, interval: 200, message: `no finished notice posted\n${botOut.slice(-3000)}` },
      )
      .toBe(true);
    await kill(bot);

    bot = await startBot(db);
    const done = await waitForJob(db, created.id, (j) => j.phase === 'failed');
    await expect.poll(() => noticesOf(done.id, 'finished').length, { timeout: 15_000 }).toBe(1);
    // Settled: a few more ticks say nothing more.
    await new Promise((r) => setTimeout(r, 2500));
    expect(noticesOf(done.id, 'finished')).toHaveLength(1);
    expect(noticesOf(done.id, 'message')).toHaveLength(1);
    expect(done.error?.code).toBe('invalid_request');
    expect(done.error?.message).toMatch(/Missing on this host's Python .*torch/);
    expect(done.error?.hint).toMatch(/pip install -r .*requirements\.txt/);
    // Nothing launched, and the uploaded training data went with the failed start.
    expect(existsSync(join(sshd.dir, 'jobs', done.id))).toBe(false);
  }, 90_000);
});
