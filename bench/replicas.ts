/**
 * npm run bench:replicas — 1 and then 2 bot replicas sharing one PostgreSQL database, each with its
 * own store connection, notifier, notices and leased monitor (in this process, as the real ones are
 * in theirs), watching N jobs move queued → running → succeeded at a local fake OpenAI, with Slack
 * faked; then 2 replicas again, one of which dies (stops ticking and never gives its leases back)
 * once the jobs run. Prints, for each run: transitions, announcements (must be equal: 0 lost,
 * 0 doubled), lease takeovers, and transitions announced per second; then 2 replicas against 1 as
 * a ratio. Both replicas share this process's CPU here, so the ratio shows what sharing the work
 * through the store costs or gains in I/O overlap, not what two machines would.
 *
 * Needs PostgreSQL (FTBOT_TEST_POSTGRES_URL, default the local one). Flags: --jobs N (default 500),
 * --lease-ms N (default 2000), --strict (exit 1 unless announcements equal transitions).
 */
import { parseArgs } from 'node:util';
import { webApi } from '@slack/bolt';
import { CATALOGUE } from '../src/cost/catalogue.ts';
import { createMonitor, type Monitor } from '../src/jobs/monitor.ts';
import { createNotices } from '../src/jobs/notices.ts';
import { createLogger } from '../src/logger.ts';
import { createOpenAIProvider } from '../src/providers/openai/index.ts';
import { NOTICE_EVENT_TYPE } from '../src/slack/job-notice-lookup.ts';
import { createSlackJobNotifier } from '../src/slack/job-notifier.ts';
import { openStoreAsync, type Store } from '../src/store/index.ts';
import { FakeOpenAI } from '../test/support/fake-openai.ts';
import { FakeSlack } from '../test/support/fake-slack.ts';
import { createTestSchema } from '../test/support/postgres.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '500' },
    'lease-ms': { type: 'string', default: '2000' },
    strict: { type: 'boolean', default: false },
  },
});
const JOBS = Number(values.jobs);
const LEASE_MS = Number(values['lease-ms']);
const logger = createLogger('silent');
const openai = await new FakeOpenAI().start();
const slack = await new FakeSlack().start();
const provider = createOpenAIProvider({ apiKey: 'sk-bench', baseURL: openai.baseUrl });

interface Replica {
  store: Store;
  monitor: Monitor;
  alive: boolean;
}

async function replica(url: string, name: string, takeovers: { n: number }): Promise<Replica> {
  const store = await openStoreAsync({ kind: 'postgres', url });
  const now = () => new Date();
  const client = new webApi.WebClient('xoxb-bench', { slackApiUrl: slack.apiUrl, logLevel: webApi.LogLevel.ERROR });
  const notifier = createSlackJobNotifier({ client, store, prices: CATALOGUE, logger, now });
  const notices = createNotices({ store, notifier, logger, now, owner: name, leaseMs: LEASE_MS });
  const monitor = createMonitor({
    store,
    providers: { openai: provider },
    notifier,
    notices,
    prices: CATALOGUE,
    logger,
    now,
    stallMinutes: 600,
    // Edits are not what is measured: announcements are.
    editIntervalMs: 3_600_000,
    leases: { owner: name, ttlMs: LEASE_MS, onTakeover: () => takeovers.n++ },
  });
  return { store, monitor, alive: true };
}

async function seed(store: Store, run: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const fake = openai.addJob({ status: 'queued' });
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
      phase: 'queued',
      providerStatus: 'queued',
      messageTs: `17000${run}0000.${String(i).padStart(6, '0')}`,
      lastEditAt: new Date().toISOString(),
    });
    ids.push(fake.id);
  }
  return ids;
}

/** Notices in Slack for this run's jobs, by key; counted once per (job, key). */
function announcements(jobIds: Set<string>): { total: number; doubled: number } {
  const seen = new Map<string, number>();
  for (const m of slack.messages) {
    if (m.metadata?.event_type !== NOTICE_EVENT_TYPE) continue;
    const job = String(m.metadata.event_payload.job_id);
    const key = String(m.metadata.event_payload.notice);
    if (!jobIds.has(job) || !(key === 'status:running' || key === 'finished')) continue;
    seen.set(`${job} ${key}`, (seen.get(`${job} ${key}`) ?? 0) + 1);
  }
  return {
    total: [...seen.values()].reduce((a, b) => a + b, 0),
    doubled: [...seen.values()].filter((n) => n > 1).length,
  };
}

async function run(replicaCount: 1 | 2, runNo: number, kill = false) {
  const schema = await createTestSchema();
  const takeovers = { n: 0 };
  const replicas: Replica[] = [];
  for (let r = 0; r < replicaCount; r++) replicas.push(await replica(schema.url, `replica-${runNo}-${r}`, takeovers));
  const first = replicas[0] as Replica;
  const providerIds = await seed(first.store, runNo);
  const jobIds = new Set((await first.store.listActiveJobs()).map((j) => j.id));
  const transitions = JOBS * 2; // running, then succeeded
  const round = () => Promise.all(replicas.filter((r) => r.alive).map((r) => r.monitor.tick()));

  const t0 = performance.now();
  await round(); // leases taken, nothing moved yet
  for (const id of providerIds) openai.advance(id, { status: 'running' });
  const ran = () => announcements(jobIds).total >= JOBS;
  while (!ran()) await round();
  if (kill) (replicas[0] as Replica).alive = false; // dies holding its leases
  for (const id of providerIds) {
    openai.advance(id, {
      status: 'succeeded',
      fine_tuned_model: `ft:x::${id}`,
      trained_tokens: 1000,
      finished_at: Math.floor(Date.now() / 1000),
    });
  }
  const deadline = Date.now() + 120_000;
  while (announcements(jobIds).total < transitions && Date.now() < deadline) {
    await round();
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const said = announcements(jobIds);
  for (const r of replicas) await r.store.close();
  await schema.drop();
  return {
    replicas: replicaCount,
    killed: kill,
    transitions,
    announced: said.total,
    doubled: said.doubled,
    takeovers: takeovers.n,
    perSecond: said.total / seconds,
    seconds,
  };
}

const one = await run(1, 1);
const two = await run(2, 2);
const killed = await run(2, 3, true);
console.log(`bench:replicas — ${JOBS} jobs on PostgreSQL, lease ${LEASE_MS} ms`);
console.log('replicas          transitions  announced  lost  doubled  takeovers  seconds  announced/s');
for (const r of [one, two, killed]) {
  console.log(
    `${`${r.replicas}${r.killed ? ', 1 killed' : ''}`.padStart(16)}  ${String(r.transitions).padStart(11)}  ${String(r.announced).padStart(9)}  ` +
      `${String(Math.max(0, r.transitions - r.announced)).padStart(4)}  ${String(r.doubled).padStart(7)}  ` +
      `${String(r.takeovers).padStart(9)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.perSecond.toFixed(1).padStart(11)}`,
  );
}
console.log(`throughput, 2 replicas against 1: ${(two.perSecond / one.perSecond).toFixed(2)}×`);
await openai.stop();
await slack.stop();
const exact = [one, two, killed].every((r) => r.announced === r.transitions && r.doubled === 0);
if (values.strict && !exact) process.exit(1);
