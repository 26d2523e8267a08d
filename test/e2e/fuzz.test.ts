import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { blockAction, eventCallback, postSigned, slashCommandBody, viewSubmission } from '../support/slack-request.ts';
import { startValues } from './job-flow.ts';

/**
 * The real bot as its own process, fed a few hundred signed requests made by mutating valid ones of
 * this app at random paths. Whatever comes in, the process stays up, answers each request within
 * Slack's 3 s, stores no job out of range or for an unknown provider, and starts nothing at the
 * provider. FUZZ_SEED=<n> replays a run; the seed is in the test's name.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 500);
const MAIN = resolve('src/main.ts');
const SECRET = 'fuzz-signing-secret';
const SLACK_DEADLINE_MS = 3000;

const slack = new FakeSlack();
const openai = new FakeOpenAI();
let dir: string;
let child: ChildProcess;
let port: number;
let output = '';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const MEGABYTE = 'x'.repeat(1024 * 1024);
/** An own `__proto__` key, as JSON.parse makes it; an object literal would set the prototype instead. */
const protoObject = () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
const VALUES: Array<() => unknown> = [
  () => null,
  () => -5,
  () => 1e9,
  () => 0,
  () => 'NaN',
  () => '-5',
  () => '1e9',
  () => '',
  () => true,
  () => [],
  () => [1, 'two', null],
  () => ({}),
  () => ({ value: 5 }),
  protoObject,
  () => '__proto__',
  () => 'constructor',
  () => 'toString',
  () => 'not_an_id_of_ours',
  () => (random() < 0.3 ? MEGABYTE : 'y'.repeat(5000)),
];

type Json = Record<string, unknown> | unknown[];

/** Every path to a value inside `root`, depth-first. */
function paths(root: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof root !== 'object' || root === null) return [];
  const keys: Array<string | number> = Array.isArray(root) ? root.map((_, i) => i) : Object.keys(root);
  return keys.flatMap((k) => [[...prefix, k], ...paths((root as Record<string, unknown>)[k], [...prefix, k])]);
}

function mutate(root: Json): void {
  const all = paths(root);
  const rounds = 1 + Math.floor(random() * 3);
  for (let i = 0; i < rounds && all.length > 0; i++) {
    const path = pick(all);
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], root);
    if (typeof parent !== 'object' || parent === null) continue;
    const key = path.at(-1) as string;
    const target = parent as Record<string, unknown>;
    const roll = random();
    if (roll < 0.15 && !Array.isArray(parent)) delete target[key];
    else if (roll < 0.25 && !Array.isArray(parent)) {
      const name = pick(['__proto__', 'constructor', 'prototype', 'toString']);
      Object.defineProperty(target, name, { value: pick(VALUES)(), enumerable: true, writable: true });
    } else target[key] = pick(VALUES)();
  }
}

const responseUrl = () => `${slack.url}/respond/fuzz`;
const reviewMetadata = JSON.stringify({
  v: 1,
  request: {
    provider: 'openai',
    channelId: 'C0JOBS',
    model: 'gpt-4.1-mini-2025-04-14',
    method: 'supervised',
    trainingFileId: 'file-abc123',
    suffix: 'tickets',
    hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
  },
  estimateUsd: 1,
  // Waits for an approver, so a request the mutations left valid is stored but never started.
  needsApproval: true,
});

/** Valid requests of this app, each a fresh copy. */
const BASES: Array<() => { kind: 'form' | 'interaction' | 'event'; body: Json }> = [
  () => ({
    kind: 'form',
    body: Object.fromEntries(
      new URLSearchParams(
        slashCommandBody({
          text: pick(['help', 'jobs', 'status ft-abc123', 'start', 'cost']),
          responseUrl: responseUrl(),
        }),
      ),
    ),
  }),
  () => ({
    kind: 'interaction',
    body: viewSubmission({
      callbackId: 'job_start',
      privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
      values: startValues({ fileId: 'file-abc123' }),
    }),
  }),
  () => ({
    kind: 'interaction',
    body: viewSubmission({ callbackId: 'job_review', privateMetadata: reviewMetadata, values: {} }),
  }),
  () => ({
    kind: 'interaction',
    body: {
      ...blockAction({ actionId: 'job_provider', value: 'openai', responseUrl: responseUrl() }),
      view: viewSubmission({
        callbackId: 'job_start',
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values: startValues(),
      }).view,
    },
  }),
  () => ({
    kind: 'interaction',
    body: blockAction({
      actionId: pick(['job_cancel', 'job_details', 'job_refresh', 'estimate_cost', 'docs_link']),
      value: 'ft-abc123',
      responseUrl: responseUrl(),
    }),
  }),
  () => ({
    kind: 'event',
    body: eventCallback({ type: 'app_home_opened', user: 'U0ASKER', channel: 'D0DM', tab: 'home', event_ts: '1.1' }),
  }),
];

/** The request as it goes on the wire; now and then with broken JSON or a bare non-object payload. */
function encode(kind: 'form' | 'interaction' | 'event', body: Json): { text: string; type?: string } {
  const roll = random();
  if (kind === 'form') {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body)) {
      if (Array.isArray(value)) for (const v of value) form.append(key, String(v));
      else form.append(key, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
    }
    return { text: form.toString() };
  }
  let json = JSON.stringify(body);
  if (roll < 0.05) json = json.slice(0, Math.floor(json.length * random()));
  else if (roll < 0.1) json = pick(['null', '1', '"x"', '[]', '{}', 'true']);
  if (kind === 'event') return { text: json, type: 'application/json' };
  return { text: new URLSearchParams({ payload: json }).toString() };
}

function outOfRange(job: JobRecord): string | undefined {
  const hp = job.request.hyperparameters;
  const within = (v: unknown, ok: (n: number) => boolean) => v === 'auto' || (typeof v === 'number' && ok(v));
  if (!['openai', 'azure', 'gpu'].includes(job.provider)) return `provider ${String(job.provider)}`;
  if (!within(hp.nEpochs, (n) => Number.isInteger(n) && n >= 1 && n <= 50)) return `epochs ${hp.nEpochs}`;
  if (!within(hp.batchSize, (n) => Number.isInteger(n) && n >= 1 && n <= 256)) return `batch ${hp.batchSize}`;
  if (!within(hp.learningRateMultiplier, (n) => n > 0 && n <= 10)) return `lr ${hp.learningRateMultiplier}`;
  if (typeof job.request.model !== 'string' || job.request.model.length > 128) return 'model';
  if (job.request.suffix !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(job.request.suffix)) return 'suffix';
  if ((job.request as { slackFile?: unknown }).slackFile !== undefined) return 'a Slack file nobody uploaded';
  return undefined;
}

describe('the bot as a process, under mutated requests', () => {
  beforeAll(async () => {
    await slack.start();
    await openai.start();
    dir = mkdtempSync(join(tmpdir(), 'ftbot-fuzz-'));
    child = spawn(process.execPath, [MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: 'xoxb-fuzz-test',
        SLACK_SIGNING_SECRET: SECRET,
        AZURE_RETAIL_PRICES_URL: 'off', // tests never reach prices.azure.com
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
        OPENAI_API_KEY: 'sk-fuzz-test-key-0000000000',
        OPENAI_BASE_URL: openai.baseUrl,
        APPROVER_USER_IDS: 'U0BOSS',
        POLL_CRON: '0 0 1 1 *',
        LOG_LEVEL: 'info',
      },
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const until = Date.now() + 15_000;
    while (!output.includes('finetune-bot is running')) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`the bot did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const line = output.split('\n').find((l) => l.includes('finetune-bot is running')) ?? '{}';
    port = (JSON.parse(line) as { port: number }).port;
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await slack.stop();
    await openai.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${REQUESTS} mutated requests (FUZZ_SEED=${SEED})`, { timeout: 60_000 }, async () => {
    const replay = `replay with FUZZ_SEED=${SEED}`;
    for (let i = 0; i < REQUESTS; i++) {
      const base = pick(BASES)();
      mutate(base.body);
      const { text, type } = encode(base.kind, base.body);
      const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, text, SECRET, type).catch(
        (error: Error) => ({ status: 0, ms: 0, text: error.message }),
      );
      const where = `request ${i} (${replay}): ${text.slice(0, 300)}`;
      expect(child.exitCode, `the process exited at ${where}\n${output.slice(-2000)}`).toBeNull();
      expect(res.status, `status at ${where}`).toBeOneOf([200, 400]);
      expect(res.ms, `answered late at ${where}`).toBeLessThan(SLACK_DEADLINE_MS);
    }
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status, replay).toBe(200);
    expect(child.exitCode, replay).toBeNull();
    const store = openStore({ kind: 'sqlite', path: join(dir, 'bot.db') });
    try {
      const jobs = await store.listJobs({ teamId: 'T0001', limit: 500 });
      for (const job of jobs) expect(outOfRange(job), `job ${job.id} (${replay})`).toBeUndefined();
    } finally {
      await store.close();
    }
    expect(openai.requestsTo('POST', /^\/fine_tuning\/jobs$/), replay).toEqual([]);
    expect(output, replay).not.toContain('xoxb-fuzz-test');
    // The process guard would have kept it alive; a fault it logged is still a bug.
    expect(output, replay).not.toContain('logged, still serving');
  });
});

describe('the process guard', () => {
  const script = `
    import { createLogger } from ${JSON.stringify(resolve('src/logger.ts'))};
    import { installProcessGuard } from ${JSON.stringify(resolve('src/process-guard.ts'))};
    installProcessGuard(createLogger('info'), {
      maxFaults: 2,
      stop: async () => console.log(JSON.stringify({ msg: 'stopping' })),
    });
    setInterval(() => {}, 1000);
    setTimeout(() => { throw new Error('boom with xoxb-1111-2222-secretvalue'); }, 10);
    setTimeout(() => { Promise.reject(JSON.parse('{"a":1}')); }, 30);
    setTimeout(() => { console.log(JSON.stringify({ msg: 'alive' })); }, 60);
    setTimeout(() => { throw new Error('the third'); }, 90);
  `;

  it('logs a stray exception and rejection and keeps serving; a burst stops it with exit 1', async () => {
    const guarded = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '' },
    });
    let out = '';
    guarded.stdout?.on('data', (d) => {
      out += d;
    });
    guarded.stderr?.on('data', (d) => {
      out += d;
    });
    const [code] = await once(guarded, 'exit');
    expect(code, out).toBe(1);
    const lines = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; level: number; fault?: { type: string; message?: string } });
    expect(lines.map((l) => l.msg)).toEqual([
      'uncaughtException: logged, still serving',
      'unhandledRejection: logged, still serving',
      'alive',
      'too many unhandled faults; stopping so the supervisor can restart the bot',
      'stopping',
    ]);
    expect(lines[1]?.fault).toEqual({ type: 'object' });
    expect(out).not.toContain('secretvalue');
  });
});
