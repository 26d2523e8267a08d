/**
 * npm run bench:ack — slash-command ack latency in HTTP mode under load: the real bot against a bare
 * Bolt app whose /finetune handler only acks, in the same run, each in its own process. Rounds of
 * concurrent signed `/finetune advise` requests alternate between the two so machine noise hits both.
 * Prints p50/p99 for both and the ratio; target: p99 ≤ 1.5× the bare app.
 *
 * Flags: --rounds N (default 6), --concurrency N (default 200), --text T (the subcommand, default advise),
 * --strict (exit 1 if the target is missed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeSlack } from '../test/support/fake-slack.ts';
import { postSigned, slashCommandBody } from '../test/support/slack-request.ts';

const SECRET = 'bench-signing-secret';
const TARGET = 1.5;

type Kind = 'ours' | 'bare' | 'slack';

async function runChild(kind: Kind): Promise<void> {
  const env = process.env;
  if (kind === 'slack') {
    // Its own process: answering the bot's views.open calls must not slow the load generator's clock.
    const slack = await new FakeSlack().start();
    console.log(`READY ${new URL(slack.url).port}`);
    return;
  }
  if (kind === 'ours') {
    const { loadConfig } = await import('../src/config.ts');
    const { createLogger } = await import('../src/logger.ts');
    const { startBot } = await import('../src/main.ts');
    const bot = await startBot(loadConfig(env), { logger: createLogger('silent') });
    console.log(`READY ${bot.port}`);
    return;
  }
  const { App, HTTPReceiver, LogLevel } = await import('@slack/bolt');
  const receiver = new HTTPReceiver({ signingSecret: env.SLACK_SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
  const app = new App({
    token: env.SLACK_BOT_TOKEN ?? '',
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: env.SLACK_API_URL ?? '' },
  });
  app.command(/^\/finetune/, async ({ ack }) => {
    await ack();
  });
  const server = await receiver.start(0);
  const address = server.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
}

function start(kind: Kind, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [import.meta.filename, `--child=${kind}`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = /READY (\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before it was ready`)));
  });
}

async function round(port: number, n: number, text: string): Promise<{ ms: number[]; failed: number }> {
  const url = `http://127.0.0.1:${port}/slack/events`;
  const results = await Promise.all(
    Array.from({ length: n }, () => postSigned(url, slashCommandBody({ text }), SECRET).catch(() => undefined)),
  );
  const ok = results.filter((r) => r?.status === 200);
  return { ms: ok.map((r) => r?.ms ?? 0), failed: n - ok.length };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      rounds: { type: 'string', default: '6' },
      concurrency: { type: 'string', default: '200' },
      strict: { type: 'boolean', default: false },
      text: { type: 'string', default: 'advise' },
    },
  });
  if (values.child === 'ours' || values.child === 'bare' || values.child === 'slack') {
    await runChild(values.child);
    return -1; // keep serving until the parent kills us
  }
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);

  const dir = mkdtempSync(join(tmpdir(), 'ftbot-bench-'));
  const apps: Array<{ child: ChildProcess }> = [];
  try {
    const slack = await start('slack', {});
    apps.push(slack);
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: `http://127.0.0.1:${slack.port}/api/`,
      PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
      LOG_LEVEL: 'silent',
    };
    const ours = await start('ours', env);
    apps.push(ours);
    const bare = await start('bare', env);
    apps.push(bare);
    const samples = { ours: [] as number[], bare: [] as number[] };
    let failed = 0;
    for (const port of [ours.port, bare.port]) failed += (await round(port, 50, values.text)).failed; // warm-up
    for (let i = 0; i < rounds; i++) {
      // Alternate which app goes first so neither always runs on a cooler machine.
      const order = i % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      for (const kind of order) {
        const r = await round(kind === 'ours' ? ours.port : bare.port, concurrency, values.text);
        samples[kind].push(...r.ms);
        failed += r.failed;
      }
    }
    const stats = (ms: number[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    };
    const o = stats(samples.ours);
    const b = stats(samples.bare);
    const p50Ratio = o.p50 / b.p50;
    const p99Ratio = o.p99 / b.p99;
    console.log(
      `/finetune ${values.text}: ack latency, HTTP mode, ${rounds} rounds × ${concurrency} concurrent requests per app`,
    );
    console.log(`  bare Bolt app : n=${b.n}  p50 ${b.p50.toFixed(1)} ms  p99 ${b.p99.toFixed(1)} ms`);
    console.log(`  finetune-bot  : n=${o.n}  p50 ${o.p50.toFixed(1)} ms  p99 ${o.p99.toFixed(1)} ms`);
    console.log(`  ratio         : p50 ${p50Ratio.toFixed(2)}×  p99 ${p99Ratio.toFixed(2)}×`);
    const met = p99Ratio <= TARGET;
    console.log(`target: p99 ratio <= ${TARGET}x — ${met ? 'met' : 'NOT met'}`);
    if (failed > 0) console.log(`${failed} request(s) failed`);
    return failed > 0 || (values.strict && !met) ? 1 : 0;
  } finally {
    for (const app of apps) app.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const code = await main();
if (code >= 0) process.exit(code);
