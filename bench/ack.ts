/**
 * npm run bench:ack — slash-command ack latency in HTTP mode under load: the real bot against a bare
 * Bolt app whose /finetune handler only acks, in the same run, each in a child process of its own.
 * Rounds of concurrent signed `/finetune advise` commands alternate between the two so machine noise
 * hits both. Prints p50/p99 for both and the ratio; target: p99 ≤ 1.5× the bare app's.
 *
 * The fake Slack runs in this process rather than a third one: on a 2-core machine a third busy
 * process during the bot's rounds (and only those) skews the comparison against the bot more than
 * answering its views.open calls here does.
 *
 * Flags: --rounds N (default 10), --concurrency N (default 200), --text T (the subcommand, default advise),
 * --strict (exit 1 if the target is missed). Children: --child=ours|bare (started by the parent).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { loadConfig } from '../src/config/index.ts';
import { startBot } from '../src/main.ts';
import { FakeSlack } from '../test/support/fake-slack.ts';
import { postSigned, slashCommandBody } from '../test/support/slack-request.ts';

const SECRET = 'bench-signing-secret';
const TARGET = 1.5;
// Full-size rounds, not a few requests: the first bursts pay for JIT and for opening every connection
// (the bot's outbound ones to Slack too), and with 50 warm-up requests the first measured round alone
// set the bot's p99.
const WARMUP_ROUNDS = 3;

type Kind = 'ours' | 'bare';

/** Child side: start one app, tell the parent its port, and shut down when the parent lets go. */
async function serve(kind: Kind): Promise<void> {
  const env = process.env;
  let stop: () => Promise<void>;
  let port: number;
  if (kind === 'ours') {
    ({ port, stop } = await startBot(loadConfig(env)));
  } else {
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
    port = ((await receiver.start(0)).address() as AddressInfo).port;
    stop = () => receiver.stop();
  }
  // 'disconnect' also fires if the parent dies, so a crashed bench leaves no server behind.
  process.once('disconnect', () => void stop().finally(() => process.exit(0)));
  process.send?.({ port });
}

async function launch(kind: Kind, env: Record<string, string>, children: ChildProcess[]): Promise<number> {
  const child = fork(import.meta.filename, [`--child=${kind}`], { env: { ...process.env, ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before it was listening`)));
    setTimeout(() => reject(new Error(`${kind} did not start listening within 15 s`)), 15_000).unref();
  });
}

async function shutDown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

interface Round {
  ms: number[];
  failures: string[];
}

async function round(port: number, n: number, text: string, responseUrl: string): Promise<Round> {
  const url = `http://127.0.0.1:${port}/slack/events`;
  const results = await Promise.all(
    Array.from({ length: n }, () =>
      postSigned(url, slashCommandBody({ text, responseUrl }), SECRET).catch((error: Error) => error),
    ),
  );
  const out: Round = { ms: [], failures: [] };
  for (const r of results) {
    if (r instanceof Error) out.failures.push(r.message);
    else if (r.status !== 200) out.failures.push(`HTTP ${r.status}: ${r.text.slice(0, 100)}`);
    else out.ms.push(r.ms);
  }
  return out;
}

/** Nearest-rank quantile. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function bench(values: { rounds: string; concurrency: string; text: string; strict: boolean }): Promise<number> {
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const opensModal = values.text === 'advise';
  const dir = mkdtempSync(join(tmpdir(), 'ftbot-bench-'));
  const slack = await new FakeSlack().start();
  const children: ChildProcess[] = [];
  try {
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
      LOG_LEVEL: 'silent',
    };
    const ports = { ours: await launch('ours', env, children), bare: await launch('bare', env, children) };
    // A fallback respond() from ours must reach the fake, not hooks.slack.com.
    const responseUrl = `${slack.url}/commands/bench`;
    const samples = { ours: [] as number[], bare: [] as number[] };
    const failures: string[] = [];
    let oursAcked = 0;

    const measure = async (kind: Kind, n: number): Promise<number[]> => {
      const r = await round(ports[kind], n, values.text, responseUrl);
      failures.push(...r.failures);
      if (kind === 'ours' && opensModal) {
        oursAcked += r.ms.length;
        // Let ours finish its views.open calls before the next round, so its follow-up work lands in
        // neither app's measurements.
        await slack.waitFor('views.open', oursAcked, 3000).catch(() => {});
      }
      return r.ms;
    };

    for (let i = 0; i < WARMUP_ROUNDS; i++)
      for (const kind of ['ours', 'bare'] as const) await measure(kind, concurrency);
    for (let i = 0; i < rounds; i++) {
      // Alternate which app goes first so neither always runs on a cooler machine.
      const order: Kind[] = i % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
      for (const kind of order) samples[kind].push(...(await measure(kind, concurrency)));
    }

    const stats = (ms: number[]) => {
      const sorted = ms.toSorted((a, b) => a - b);
      return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    };
    const o = stats(samples.ours);
    const b = stats(samples.bare);
    const ratio = { p50: o.p50 / b.p50, p99: o.p99 / b.p99 };
    const line = (name: string, s: typeof o) =>
      `  ${name.padEnd(13)}: n=${s.n}  p50 ${s.p50.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms`;
    console.log(
      `/finetune ${values.text}: ack latency, HTTP mode, ${rounds} rounds × ${concurrency} concurrent requests per app`,
    );
    console.log(line('bare Bolt app', b));
    console.log(line('finetune-bot', o));
    console.log(`  ratio        : p50 ${ratio.p50.toFixed(2)}×  p99 ${ratio.p99.toFixed(2)}×`);
    if (opensModal) {
      const opened = slack.callsTo('views.open').length;
      console.log(`  views.open   : ${opened} calls for ${oursAcked} acked advise commands`);
      for (let k = opened; k < oursAcked; k++) failures.push('acked, but views.open never came');
    }
    const met = ratio.p99 <= TARGET;
    console.log(`target: p99 ratio <= ${TARGET}x — ${met ? 'met' : 'NOT met'}`);
    if (failures.length > 0) console.log(`${failures.length} request(s) failed; first: ${failures[0]}`);
    return failures.length > 0 || (values.strict && !met) ? 1 : 0;
  } finally {
    await Promise.all(children.map(shutDown));
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '200' },
    text: { type: 'string', default: 'advise' },
    strict: { type: 'boolean', default: false },
  },
});
if (values.child === 'ours' || values.child === 'bare') await serve(values.child);
else process.exitCode = await bench(values);
