/**
 * npm run bench:monitor — the job monitor's cost per tick with 1,000 active jobs on a local fake
 * OpenAI server, next to the naive monitor (one jobs.retrieve per job per tick) in the same run.
 * Most jobs are queued or quietly running; a few change each tick (new metrics, one finishes), as
 * on a busy day. Prints provider calls per tick and tick duration for both, and the ratio.
 * Targets: ≤ 0.1× the naive calls once the first tick has caught up, and every tick under 2 s.
 *
 * The Slack side is the real notifier against a local fake Slack, so the tick includes its edits.
 * Flags: --jobs N (default 1000), --ticks N (default 8), --changing N (default 10), --strict.
 */
import { parseArgs } from 'node:util';
import { webApi } from '@slack/bolt';
import OpenAI from 'openai';
import { CATALOGUE } from '../src/cost/catalogue.ts';
import { createMonitor } from '../src/jobs/monitor.ts';
import { createNotices } from '../src/jobs/notices.ts';
import { createLogger } from '../src/logger.ts';
import { createOpenAIProvider } from '../src/providers/openai/index.ts';
import { createSlackJobNotifier } from '../src/slack/job-notifier.ts';
import { openStore } from '../src/store/index.ts';
import { FakeOpenAI } from '../test/support/fake-openai.ts';
import { FakeSlack } from '../test/support/fake-slack.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    ticks: { type: 'string', default: '8' },
    changing: { type: 'string', default: '10' },
    strict: { type: 'boolean', default: false },
  },
});
const JOBS = Number(values.jobs);
const TICKS = Number(values.ticks);
const CHANGING = Number(values.changing);
const CALL_TARGET = 0.1;
const TICK_TARGET_MS = 2000;

const openai = await new FakeOpenAI().start();
const slack = await new FakeSlack().start();
const store = openStore({ kind: 'sqlite-memory' });
const logger = createLogger('silent');

// A tenth of the jobs run, the rest wait in the queue; ours are newest first on the provider too.
const running: string[] = [];
for (let i = 0; i < JOBS; i++) {
  const isRunning = i % 10 === 0;
  const fake = openai.addJob({ status: isRunning ? 'running' : 'queued' });
  if (isRunning) {
    running.push(fake.id);
    openai.advance(fake.id, {}, [FakeOpenAI.metrics(1, 500, 2.5)]);
  }
  const job = await store.createJob({
    teamId: 'T1',
    channelId: 'C1',
    requestedBy: 'U1',
    provider: 'openai',
    request: {
      model: 'gpt-4.1-mini-2025-04-14',
      method: 'supervised',
      trainingFileId: 'file-train',
      hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
    },
    phase: 'starting',
    estimateUsd: 5,
  });
  await store.updateJob(job.id, {
    providerJobId: fake.id,
    phase: isRunning ? 'running' : 'queued',
    providerStatus: isRunning ? 'running' : 'queued',
    messageTs: `1700000000.${String(i).padStart(6, '0')}`,
    startedAt: isRunning ? new Date().toISOString() : null,
    lastEditAt: new Date(0).toISOString(),
  });
}

let clock = Date.now();
const now = () => new Date(clock);
const provider = createOpenAIProvider({ apiKey: 'sk-bench', baseURL: openai.baseUrl });
const client = new webApi.WebClient('xoxb-bench', { slackApiUrl: slack.apiUrl, logLevel: webApi.LogLevel.ERROR });
const notifier = createSlackJobNotifier({ client, store, prices: CATALOGUE, logger, now });
const monitor = createMonitor({
  store,
  providers: { openai: provider },
  notifier,
  notices: createNotices({ store, notifier, logger, now, owner: 'bench' }),
  prices: CATALOGUE,
  logger,
  now,
  stallMinutes: 600,
});
const naive = new OpenAI({ apiKey: 'sk-bench', baseURL: openai.baseUrl, maxRetries: 0 });

/** A few jobs change between ticks: new metrics on some running jobs, one finishes, one starts running. */
function changeSome(tick: number) {
  for (let k = 0; k < CHANGING; k++) {
    const id = running[(tick * CHANGING + k) % running.length] as string;
    openai.advance(id, {}, [FakeOpenAI.metrics(tick + 1, 500, 2.5 - tick * 0.1)]);
  }
  const done = running[tick % running.length] as string;
  openai.advance(done, {
    status: 'succeeded',
    fine_tuned_model: `ft:gpt-4.1-mini-2025-04-14:acme::${tick}`,
    trained_tokens: 100_000,
    finished_at: Math.floor(clock / 1000),
  });
}

interface Row {
  calls: number;
  ms: number;
}
const ours: Row[] = [];
const base: Row[] = [];
const ids = [...openai.jobs.keys()];
for (let tick = 0; tick < TICKS; tick++) {
  if (tick > 0) changeSome(tick);
  clock += 30_000;
  let before = openai.requests.length;
  let t0 = performance.now();
  await monitor.tick();
  ours.push({ calls: openai.requests.length - before, ms: performance.now() - t0 });

  before = openai.requests.length;
  t0 = performance.now();
  // The naive monitor: every active job retrieved, eight at a time like ours.
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(ids.slice(i, i + 8).map((id) => naive.fineTuning.jobs.retrieve(id)));
  }
  base.push({ calls: openai.requests.length - before, ms: performance.now() - t0 });
}

const fmt = (n: number) => n.toFixed(0).padStart(6);
console.log(`bench:monitor — ${JOBS} active jobs, ${CHANGING} changing per tick, ${TICKS} ticks`);
console.log('tick   ours calls  ours ms   naive calls  naive ms   calls ratio');
for (let i = 0; i < TICKS; i++) {
  const o = ours[i] as Row;
  const b = base[i] as Row;
  console.log(
    `${String(i + 1).padStart(4)} ${fmt(o.calls)}     ${fmt(o.ms)}   ${fmt(b.calls)}       ${fmt(b.ms)}     ${(o.calls / b.calls).toFixed(3)}×`,
  );
}
const steady = ours.slice(1);
const steadyRatio = steady.reduce((s, r) => s + r.calls, 0) / base.slice(1).reduce((s, r) => s + r.calls, 0);
const slowest = Math.max(...ours.map((r) => r.ms));
console.log(
  `\nafter the first tick: ${steadyRatio.toFixed(3)}× the naive calls (target ≤ ${CALL_TARGET}×) — ${steadyRatio <= CALL_TARGET ? 'met' : 'MISSED'}`,
);
console.log(
  `first tick (catch-up after a start): ${(ours[0] as Row).calls} calls, ${((ours[0] as Row).calls / (base[0] as Row).calls).toFixed(2)}× naive`,
);
console.log(
  `slowest tick: ${slowest.toFixed(0)} ms (target < ${TICK_TARGET_MS} ms) — ${slowest < TICK_TARGET_MS ? 'met' : 'MISSED'}`,
);

await store.close();
await openai.stop();
await slack.stop();
if (values.strict && (steadyRatio > CALL_TARGET || slowest >= TICK_TARGET_MS)) process.exitCode = 1;
