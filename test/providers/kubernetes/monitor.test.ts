import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/cost/catalogue.ts';
import { openStore } from '../../../src/store/index.ts';
import type { JobRecord, NewJob } from '../../../src/store/types.ts';
import { Harness } from '../../e2e/harness.ts';
import { FakeK8s } from '../../support/fake-k8s.ts';
import { EXAMPLES, event, startedEvents, stepEvent } from './helpers.ts';

/**
 * The real bot (HTTP mode, SQLite, Slack faked at the HTTP edge) configured for a GPU cluster by
 * the GPU_K8S_* variables, pointing at the fake API server. The job is created through the store,
 * as the review step would, and started by the monitor's resume; the test plays the scheduler and
 * the kubelet; everything else is the bot: the Job, the queued notice with the scheduler's reason
 * said once, progress from the pod's log, a restart, and the ending with its GPU cost.
 */

const fake = new FakeK8s('ml');
const settings: Record<string, string> = { POLL_CRON: '0 0 1 1 *', NOTICE_LEASE_SECONDS: '5' };
const h = new Harness(settings);

beforeAll(async () => {
  await fake.start();
  Object.assign(settings, {
    GPU_K8S_NAMESPACE: 'ml',
    KUBECONFIG: fake.kubeconfig(),
    GPU_K8S_IMAGE: 'ghcr.io/acme/ftbot-trainer:1.0',
    GPU_K8S_GPU_TYPE: 'A100-80GB',
    GPU_K8S_NAME: 'gpu-cluster',
  });
  await h.start();
});
afterAll(async () => {
  await h.stop();
  await fake.stop();
});

type Msg = { thread_ts?: string; text: string };
const replyText = () =>
  h.slack
    .callsTo('chat.postMessage')
    .map((c) => c.args as unknown as Msg)
    .filter((m) => m.thread_ts)
    .map((m) => m.text)
    .join('\n');

async function createJob(): Promise<JobRecord> {
  const url = h.slack.serve('tickets.jsonl', { body: EXAMPLES });
  const store = openStore({ kind: 'sqlite', path: h.dbPath }, { now: () => h.clock });
  const job: NewJob = {
    teamId: 'T0001',
    channelId: 'C0JOBS',
    requestedBy: 'U0REQ',
    provider: 'k8s',
    phase: 'starting',
    estimateUsd: 0.5,
    request: {
      model: 'meta-llama/Llama-3.2-1B-Instruct',
      method: 'supervised',
      hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
      lora: {
        method: 'lora',
        r: 16,
        alpha: 32,
        dropout: 0.05,
        targetModules: 'all-linear',
        epochs: 1,
        learningRate: 2e-4,
        batchSize: 4,
        gradientAccumulation: 1,
        maxLength: 1024,
        packing: false,
      },
      host: 'gpu-cluster',
      slackFile: { id: 'F0TRAIN', name: 'tickets.jsonl', url, bytes: EXAMPLES.length },
    },
  };
  try {
    return await store.createJob(job);
  } finally {
    await store.close();
  }
}

const getJob = (id: string) => h.withStore((s) => s.getJob(id)) as Promise<JobRecord>;

async function tickUntil(id: string, ready: (j: JobRecord) => boolean, ms = 20_000): Promise<JobRecord> {
  const until = Date.now() + ms;
  for (;;) {
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const job = await getJob(id);
    if (ready(job)) return job;
    if (Date.now() > until) throw new Error(`job not ready: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a LoRA job on a Kubernetes cluster, followed by the monitor', () => {
  it('starts a Job, is queued with the scheduler’s reason, runs, survives a restart and ends with its GPU cost', async () => {
    const created = await createJob();
    const name = `ftbot-${created.id}`;
    const started = await tickUntil(created.id, (j) => j.providerJobId !== null);
    expect(started.providerJobId).toBe(`k8s:ml:${created.id}`);
    expect(started.request.trainingFileId).toBe(`k8s:ml:${created.id}`);
    expect(fake.jobs.get(name)?.metadata.annotations['finetune-bot/requested-by']).toBe('U0REQ');

    const reason = '0/4 nodes are available: 4 Insufficient nvidia.com/gpu.';
    fake.unschedulable(name, reason);
    const queued = await tickUntil(created.id, (j) => j.phase === 'queued');
    expect(queued.providerStatus).toBe('unschedulable');
    await tickUntil(created.id, () => replyText().includes(reason));
    for (let i = 0; i < 3; i++) {
      h.advance(31_000);
      await h.bot?.monitor.tick();
    }
    expect(replyText().split(reason)).toHaveLength(2);

    const t0 = new Date(Date.now() - 1_800_000);
    fake.run(name, t0);
    fake.log(name, ...startedEvents(4), stepEvent(4, 1, 4, 2.0), stepEvent(5, 2, 4, 1.5));
    const running = await tickUntil(created.id, (j) => j.phase === 'running' && j.progress.step === 2);
    expect(running.progress).toMatchObject({ host: 'gpu-cluster', gpuType: 'A100-80GB', gpuCount: 1, totalSteps: 4 });
    expect(running.eventCursor).toBe('seq:5');

    await h.restart();
    fake.log(
      name,
      stepEvent(6, 3, 4, 1.2),
      stepEvent(7, 4, 4, 1.0),
      event(8, 'finished', {
        adapter_path: '/job/output/adapter',
        adapter_bytes: 4096,
        metrics: { tokens_seen: 1600 },
      }),
    );
    fake.finish(name, 0, { finishedAt: new Date(t0.getTime() + 1_800_000) });
    const done = await tickUntil(created.id, (j) => j.phase === 'succeeded');
    // Half an hour of one A100-80GB at the catalogue's rate.
    expect(done.progress.gpuSeconds).toBe(1800);
    expect(done.actualUsd).toBe(Math.round(0.5 * (CATALOGUE.gpus['A100-80GB']?.hourly_usd ?? 0) * 100) / 100);
    const points = await h.withStore((s) => s.lossPoints(created.id));
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    if (process.env.SHOW_REPLIES) console.log(replyText(), JSON.stringify(done));
  }, 60_000);
});
