import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/cost/catalogue.ts';
import { gpuUsd } from '../../../src/jobs/job-cost.ts';
import { createProviders } from '../../../src/providers/index.ts';
import type { Provider } from '../../../src/providers/types.ts';
import { KNOWN_CAPABILITIES } from '../../../src/slack/job-choice.ts';
import { FakeK8s } from '../../support/fake-k8s.ts';
import {
  clusterConfig,
  EXAMPLES,
  event,
  jobSpec,
  provider,
  startedEvents,
  stepEvent,
  trainingFile,
} from './helpers.ts';

/**
 * The Kubernetes provider against a local API server shaped like the real one (test/support/
 * fake-k8s.ts): every call goes through @kubernetes/client-node over HTTP, nothing of ours is stubbed.
 */

const JOB = 'ft-abc234';
const NAME = `ftbot-${JOB}`;
const ref = { provider: 'k8s' as const, id: `k8s:ml:${JOB}` };

let fake: FakeK8s;
let k8s: Provider;

beforeEach(async () => {
  fake = new FakeK8s('ml');
  await fake.start();
  k8s = provider(fake);
});

afterEach(async () => {
  await fake.stop();
});

async function started(): Promise<void> {
  const file = await k8s.prepare(trainingFile(EXAMPLES), { id: JOB });
  expect(file).toEqual({ provider: 'k8s', id: `k8s:ml:${JOB}`, name: 'ft-abc234-train.jsonl', bytes: EXAMPLES.length });
  expect(await k8s.start(jobSpec(JOB))).toEqual(ref);
}

describe('a job on the cluster', () => {
  it('starts as a batch/v1 Job, runs with steps and loss from the pod log, and succeeds with GPU-seconds', async () => {
    await started();
    const job = fake.jobs.get(NAME);
    expect(job?.spec.backoffLimit).toBe(0);
    expect(job?.spec.activeDeadlineSeconds).toBeGreaterThanOrEqual(2 * 3600);
    expect(job?.metadata.labels['finetune-bot/job-id']).toBe(JOB);
    expect(job?.metadata.annotations['finetune-bot/gpu-type']).toBe('A100-80GB');
    const pod = job?.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].resources.limits).toEqual({ 'nvidia.com/gpu': '1' });
    expect(pod.nodeSelector).toEqual({ pool: 'gpu' });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
    ]);
    expect(job?.spec.template.metadata.labels['finetune-bot/job-id']).toBe(JOB);
    // The Secret: the data, the trainer and the spec, owned by the Job.
    const secret = fake.secrets.get(NAME);
    expect(Object.keys(secret?.data).sort()).toEqual([
      'pod_bootstrap.py',
      'spec.json',
      'train.jsonl.gz',
      'trainer.json.gz',
    ]);
    const spec = JSON.parse(Buffer.from(secret?.data['spec.json'], 'base64').toString());
    expect(spec).toMatchObject({
      base_model: 'meta-llama/Llama-3.2-1B-Instruct',
      dataset: 'train.jsonl',
      epochs: 2,
      job_id: JOB,
    });
    expect(secret?.metadata.ownerReferences).toEqual([
      { apiVersion: 'batch/v1', kind: 'Job', name: NAME, uid: job?.metadata.uid },
    ]);

    // Not yet scheduled, then running from ten minutes ago.
    expect(await k8s.poll(ref)).toMatchObject({ state: 'validating', providerStatus: 'pending' });
    const t0 = new Date(Date.now() - 600_000);
    fake.run(NAME, t0);
    const at = (s: number) => new Date(Date.now() - s * 1000);
    fake.log(
      NAME,
      'pod_bootstrap: unpacking',
      ...startedEvents(4, at(300)),
      stepEvent(4, 1, 4, 2.5, at(200)),
      stepEvent(5, 2, 4, 1.75, at(100)),
    );
    const running = await k8s.poll(ref);
    expect(running.state).toBe('running');
    expect(running.providerStatus).toBe('training');
    expect(running.model).toBe('meta-llama/Llama-3.2-1B-Instruct');
    expect(running.events.map((e) => e.id)).toEqual(['seq-1', 'seq-2', 'seq-3', 'seq-4', 'seq-5']);
    expect(running.events.at(-1)?.metrics).toMatchObject({ step: 2, totalSteps: 4, trainLoss: 1.75 });
    expect(running.gpu?.gpuSeconds).toBeGreaterThanOrEqual(600);
    expect(running.estimatedFinish).not.toBeNull();

    // Read on from the cursor: nothing again; then only what is new, also for a restarted bot.
    const again = await k8s.events(ref, running.cursor);
    expect(again.events).toEqual([]);
    fake.log(NAME, stepEvent(6, 3, 4, 1.25));
    const restarted = provider(fake);
    const page = await restarted.events(ref, again.cursor);
    expect(page.events.map((e) => e.id)).toEqual(['seq-6']);

    const end = new Date(t0.getTime() + 900_000);
    fake.log(
      NAME,
      stepEvent(7, 4, 4, 1.0),
      event(8, 'preparing', { phase: 'saving', message: 'Saving the adapter.' }),
      event(9, 'finished', {
        adapter_path: '/job/output/adapter',
        adapter_bytes: 4096,
        gpu_seconds: 880,
        metrics: { tokens_seen: 8000 },
      }),
    );
    fake.finish(NAME, 0, { finishedAt: end });
    const done = await k8s.poll(ref, page.cursor);
    expect(done.state).toBe('succeeded');
    expect(done.events.map((e) => e.id)).toEqual(['seq-7', 'seq-8', 'seq-9']);
    expect(done.finishedAt).toBe(end.toISOString());
    expect(done.trainedTokens).toBe(8000);
    expect(done.gpu).toEqual({ host: 'ml', gpuType: 'A100-80GB', gpuCount: 1, gpuSeconds: 900 });
    expect(done.adapter?.path).toMatch(new RegExp(`^pod:${NAME}-[0-9a-f]{5}:/job/output/adapter$`));
    // The existing GPU cost code prices it: 900 s at the catalogue's A100-80GB rate ($1.50 an hour), to the cent.
    expect(CATALOGUE.gpus['A100-80GB']?.hourly_usd).toBe(1.5);
    expect(gpuUsd(done.gpu, CATALOGUE)).toBe(0.38);

    const snaps = await k8s.snapshots([ref, { provider: 'k8s', id: 'k8s:ml:ft-zzzzzz' }]);
    expect([...snaps.keys()]).toEqual([ref.id]);
    expect(snaps.get(ref.id)?.state).toBe('succeeded');
  });

  it('reads every event once when many arrived between reads, a page at a time', async () => {
    const small = provider(fake, { eventsReadBytes: 8 * 1024 });
    await started();
    fake.run(NAME);
    fake.log(NAME, ...startedEvents(600));
    const first = await small.events(ref);
    expect(first.cursor).toBe('seq:3');
    // 600 steps since the cursor: more lines than the first window, more bytes than one page.
    fake.log(NAME, ...Array.from({ length: 600 }, (_, i) => stepEvent(4 + i, i + 1, 600, 1)));
    const seen: string[] = [];
    let cursor = first.cursor;
    for (let page = 0; page < 100 && seen.length < 600; page++) {
      const next = await small.events(ref, cursor);
      seen.push(...next.events.map((e) => e.id));
      cursor = next.cursor;
    }
    expect(seen).toEqual(Array.from({ length: 600 }, (_, i) => `seq-${4 + i}`));
    expect((await small.events(ref, cursor)).events).toEqual([]);
  });

  it('is idempotent on our job id: a repeated start, and a create that finds the Job (409), adopt it', async () => {
    await started();
    expect(await k8s.start(jobSpec(JOB))).toEqual(ref);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'))).toHaveLength(1);

    // Another replica creates the Job between our read and our create.
    const other = 'ft-def567';
    fake.raceOnCreate = true;
    await k8s.prepare(trainingFile(EXAMPLES, `${other}-train.jsonl`), { id: other });
    expect(await k8s.start(jobSpec(other))).toEqual({ provider: 'k8s', id: `k8s:ml:${other}` });
    const job = fake.jobs.get(`ftbot-${other}`);
    expect([...fake.jobs.keys()].filter((n) => n === `ftbot-${other}`)).toHaveLength(1);
    expect(fake.secrets.get(`ftbot-${other}`)?.metadata.ownerReferences?.[0]?.uid).toBe(job?.metadata.uid);
  });

  it('shows a pod no node can take as queued, with the scheduler’s reason', async () => {
    await started();
    const reason =
      '0/4 nodes are available: 4 Insufficient nvidia.com/gpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.';
    fake.unschedulable(NAME, reason);
    const status = await k8s.poll(ref);
    expect(status.state).toBe('queued');
    expect(status.providerStatus).toBe('unschedulable');
    expect(status.gpu?.gpuSeconds).toBe(0);
    expect(status.events).toEqual([
      expect.objectContaining({
        id: 'k8s-unschedulable',
        level: 'warning',
        message: expect.stringContaining('0/4 nodes are available: 4 Insufficient nvidia.com/gpu'),
      }),
    ]);
    // An image that cannot be pulled: waiting too, and said.
    fake.waiting(NAME, 'ImagePullBackOff', 'Back-off pulling image "ghcr.io/acme/ftbot-trainer:1.0"');
    const stuck = await k8s.poll(ref);
    expect(stuck.state).toBe('queued');
    expect(stuck.events[0]).toMatchObject({ id: 'k8s-waiting-ImagePullBackOff', level: 'warning' });
    fake.waiting(NAME, 'ContainerCreating');
    expect((await k8s.poll(ref)).state).toBe('validating');
  });

  it('fails an OOMKilled container with a hint about memory', async () => {
    await started();
    const t0 = new Date(Date.now() - 120_000);
    fake.run(NAME, t0);
    fake.log(NAME, ...startedEvents(10), stepEvent(4, 1, 10, 2.2));
    fake.finish(NAME, 137, { reason: 'OOMKilled', finishedAt: new Date(t0.getTime() + 60_000) });
    const status = await k8s.poll(ref);
    expect(status.state).toBe('failed');
    expect(status.error).toMatchObject({ code: 'oom_killed', message: expect.stringContaining('OOMKilled') });
    expect(status.error?.hint).toMatch(/memory limit/);
    expect(status.gpu?.gpuSeconds).toBe(60);
  });

  it('cancels by deleting the Job with Foreground propagation, its Secret with it', async () => {
    await started();
    fake.run(NAME, new Date(Date.now() - 30_000));
    const outcome = await k8s.cancel(ref);
    const deletes = fake.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => [r.path, r.query.get('propagationPolicy')])).toEqual([
      [`/apis/batch/v1/namespaces/ml/jobs/${NAME}`, 'Foreground'],
    ]);
    expect(fake.jobs.has(NAME)).toBe(false);
    expect(fake.secrets.has(NAME)).toBe(false);
    expect(outcome?.gpu).toMatchObject({ host: 'ml', gpuType: 'A100-80GB', gpuCount: 1 });
    expect(outcome?.gpu?.gpuSeconds).toBeGreaterThanOrEqual(30);
    // Gone: asked again, the job is not found; a second cancel has nothing to do.
    await expect(k8s.poll(ref)).rejects.toMatchObject({ kind: 'not_found' });
    expect(await k8s.cancel(ref)).toEqual({});
  });

  it('refuses a file too large for its Secret before anything is created', async () => {
    // Random bytes do not compress: 1.5 MB stays over the Secret's 1 MiB.
    const big = Buffer.from(Array.from({ length: 1_500_000 }, () => Math.floor(Math.random() * 256)));
    const file = trainingFile(big);
    await expect(k8s.prepare(file, { id: JOB })).rejects.toMatchObject({
      kind: 'invalid_file',
      message: expect.stringMatching(/too large for a Kubernetes job.*1 MiB/),
    });
    expect(fake.requests).toEqual([]);
    expect(file.reads).toBeLessThan(Math.ceil(big.length / (64 * 1024)));
  });

  it('deletes an upload no Job took, and leaves one a Job owns', async () => {
    await k8s.prepare(trainingFile(EXAMPLES), { id: JOB });
    // A prepare repeated after a crash replaces the Secret.
    await k8s.prepare(trainingFile(EXAMPLES), { id: JOB });
    expect(await k8s.discardUploads(JOB)).toBe(1);
    expect(fake.secrets.size).toBe(0);
    await started();
    expect(await k8s.discardUploads(JOB)).toBe(0);
    expect(fake.secrets.has(NAME)).toBe(true);
    await expect(k8s.prepare(trainingFile(EXAMPLES), { id: JOB })).rejects.toMatchObject({ kind: 'invalid_request' });
  });
});

describe('the provider’s place in the bot', () => {
  it('says what it offers as the job builders expect, and is made when the cluster is configured', () => {
    expect(k8s.capabilities).toEqual(KNOWN_CAPABILITIES.k8s);
    expect(k8s.hosts).toEqual([{ name: 'ml', gpuType: 'A100-80GB', gpuCount: 1, maxJobs: 1 }]);
    const { providers } = createProviders({}, { k8s: { config: clusterConfig(fake), catalogue: CATALOGUE } });
    expect(Object.keys(providers)).toEqual(['k8s']);
    expect(providers.k8s?.label).toBe('Your GPU cluster (LoRA)');
  });
});

describe('when the API server cannot be reached', () => {
  it('answers with retryable errors, leaves jobs out of snapshots, and the job stays as it was', async () => {
    await started();
    fake.run(NAME);
    fake.log(NAME, ...startedEvents(4));
    const before = await k8s.poll(ref);
    fake.down = true;
    await expect(k8s.poll(ref, before.cursor)).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await k8s.snapshots([ref])).toEqual(new Map());
    await expect(k8s.cancel(ref)).rejects.toMatchObject({ retryable: true });
    expect(fake.jobs.has(NAME)).toBe(true);
    fake.down = false;
    expect((await k8s.snapshots([ref])).get(ref.id)?.state).toBe(before.state);
  });

  it('says so when nothing listens at the address, and when the credentials are refused', async () => {
    const port = Number(new URL(fake.url).port);
    await fake.stop();
    const dead = provider(fake, {}, { KUBECONFIG: fake.kubeconfig(`http://127.0.0.1:${port}`) });
    await expect(dead.poll(ref)).rejects.toMatchObject({
      kind: 'unavailable',
      retryable: true,
      message: expect.stringContaining('ECONNREFUSED'),
    });
    await expect(dead.start(jobSpec(JOB))).rejects.toMatchObject({ retryable: true });
    const report = await dead.preflight?.({ ...jobSpec(JOB), trainingBytes: 10 });
    expect(report).toMatchObject({
      ok: false,
      host: 'ml',
      problems: [expect.objectContaining({ reason: 'unreachable' })],
    });

    fake = new FakeK8s('ml');
    await fake.start();
    const refused = provider(fake, {}, { KUBECONFIG: fake.kubeconfig(fake.url, 'wrong-token') });
    await expect(refused.poll(ref)).rejects.toMatchObject({ kind: 'auth', retryable: false });
  });
});
