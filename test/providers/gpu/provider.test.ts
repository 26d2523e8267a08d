import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshPool } from '../../../src/providers/gpu/ssh-pool.ts';
import {
  type JobEvent,
  type JobSnapshot,
  type Provider,
  ProviderError,
  type ProviderJobRef,
} from '../../../src/providers/types.ts';
import { type Sshd, startSshd } from '../../support/sshd.ts';
import { eventually, poolFor } from './helpers.ts';
import {
  drain,
  fileSeqs,
  gpuHostFor,
  gpuProviderFor,
  gpuSpec,
  jobIdMaker,
  TRAINING_TEXT,
  trainingFile,
} from './provider-helpers.ts';

/** The GPU provider against a real OpenSSH server on loopback, running the stand-in trainer. */

let sshd: Sshd;
let pool: SshPool;
let gpu: Provider;
const nextId = jobIdMaker('prvt');

beforeAll(async () => {
  sshd = await startSshd();
  pool = poolFor([gpuHostFor(sshd)]);
  gpu = gpuProviderFor([gpuHostFor(sshd)], pool);
});
afterAll(async () => {
  await pool?.close();
  await sshd?.stop();
});

async function startJob(model: string, provider = gpu) {
  const id = nextId();
  const file = await provider.prepare(trainingFile(), { id, host: 'test-gpu' });
  const ref = await provider.start(gpuSpec(id, file.id, model));
  return { id, file, ref };
}

async function until(provider: Provider, ref: ProviderJobRef, done: (s: JobSnapshot) => boolean) {
  return eventually(
    'the job state',
    async () => {
      const snap = (await provider.snapshots([ref])).get(ref.id);
      if (!snap || !done(snap)) throw new Error(`not yet: ${snap?.state} ${snap?.providerStatus}`);
      return snap;
    },
    20_000,
  );
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('the GPU provider over SSH, with the stand-in trainer', () => {
  it('says what it offers, as data', async () => {
    expect(gpu.id).toBe('gpu');
    expect(gpu.capabilities).toMatchObject({
      knobs: 'lora',
      baseModel: 'free',
      tryIt: false,
      deploy: false,
      hosts: true,
    });
    expect(gpu.hosts).toEqual([{ name: 'test-gpu', gpuType: 'A100-80GB', gpuCount: 1, maxJobs: 1 }]);
    const models = await gpu.models();
    expect(models.map((m) => m.id)).toContain('meta-llama/Llama-3.1-8B-Instruct');
    expect((await failure(gpu.complete('x', 'hi'))).kind).toBe('invalid_request');
  });

  it('prepares the job folder with the data streamed over SFTP', async () => {
    const id = nextId();
    const file = await gpu.prepare(trainingFile(), { id, host: 'test-gpu' });
    expect(file).toEqual({
      provider: 'gpu',
      id: `gpu:test-gpu:${id}`,
      name: 'tickets.jsonl',
      bytes: TRAINING_TEXT.length,
    });
    expect(readFileSync(`${sshd.dir}/jobs/${id}/train.jsonl`, 'utf8')).toBe(TRAINING_TEXT);
    expect(await gpu.discardUploads(id)).toBe(1);
    expect(existsSync(`${sshd.dir}/jobs/${id}`)).toBe(false);
    expect((await failure(gpu.prepare(trainingFile(), { id: "ft-x'; rm -rf ~" }))).kind).toBe('invalid_request');
  });

  it('runs a job from start to success: events, the adapter, GPU-seconds and tokens', async () => {
    const { id, ref } = await startJob('standin/ok-5x150');
    expect(ref).toEqual({ provider: 'gpu', id: `gpu:test-gpu:${id}` });
    const spec = JSON.parse(readFileSync(`${sshd.dir}/jobs/${id}/spec.json`, 'utf8'));
    expect(spec).toMatchObject({ base_model: 'standin/ok-5x150', r: 8, target_modules: 'attention', job_id: id });

    const seen = new Set<string>();
    const events: JobEvent[] = [];
    let cursor: string | null = null;
    const final = await eventually(
      'success',
      async () => {
        const snap = (await gpu.snapshots([ref])).get(ref.id) as JobSnapshot;
        seen.add(snap.state);
        cursor = await drain(gpu, ref, cursor, events);
        if (snap.state !== 'succeeded') throw new Error(snap.providerStatus);
        return snap;
      },
      20_000,
    );
    cursor = await drain(gpu, ref, cursor, events);
    expect(seen.has('running') || seen.has('validating')).toBe(true);
    expect(final).toMatchObject({
      state: 'succeeded',
      providerStatus: 'finished',
      model: 'standin/ok-5x150',
      fineTunedModel: `${sshd.dir}/jobs/${id}/output/adapter`,
      adapter: { path: `${sshd.dir}/jobs/${id}/output/adapter`, bytes: 4096 },
      trainedTokens: 5000,
      error: null,
      gpu: { host: 'test-gpu', gpuType: 'A100-80GB', gpuCount: 1, gpuSeconds: expect.any(Number) },
    });
    expect(final.gpu?.gpuSeconds).toBeGreaterThan(0.5);
    expect(events.map((e) => e.id)).toEqual(fileSeqs(sshd, id));
    const steps = events.filter((e) => e.metrics);
    expect(steps.at(-1)?.metrics).toMatchObject({ step: 5, totalSteps: 5, tokensPerSecond: expect.any(Number) });
    expect(steps[0]?.metrics?.gpuMemoryBytes).toBe(12 * 1024 ** 3);
    const checkpoints = await gpu.checkpoints(ref);
    expect(checkpoints.map((c) => c.id)).toEqual(['ckpt-2', 'ckpt-4']);
    expect(checkpoints[0]?.model).toBe(`${sshd.dir}/jobs/${id}/output/checkpoint-2`);
    // A start repeated after a crash finds the same job.
    expect(await gpu.start(gpuSpec(id, `gpu:test-gpu:${id}`, 'standin/ok-5x150'))).toEqual(ref);
    expect(await gpu.discardUploads(id)).toBe(0);
  });

  it('a failure keeps its reason and hint; a trainer killed without exit_code is `killed`', async () => {
    const failed = await startJob('standin/fail-4x50');
    const f = await until(gpu, failed.ref, (s) => s.state === 'failed');
    expect(f.error).toMatchObject({
      code: 'cuda_oom',
      message: expect.stringContaining('out of memory'),
      hint: expect.stringContaining('batch_size'),
    });
    expect(f.providerStatus).toBe('failed:cuda_oom');
    expect(f.gpu?.gpuSeconds).toBeGreaterThan(0);
    const page = await gpu.events(failed.ref, null);
    expect(page.events.at(-1)).toMatchObject({ level: 'error', message: expect.stringContaining('out of memory') });

    const died = await startJob('standin/die-4x50');
    const d = await until(gpu, died.ref, (s) => s.state === 'failed');
    expect(d.error?.code).toBe('killed');
    expect(d.providerStatus).toBe('killed');
    expect(existsSync(`${sshd.dir}/jobs/${died.id}/exit_code`)).toBe(false);
  });

  it('refuses a bad spec before anything runs, with the trainer’s own words', async () => {
    const id = nextId();
    const file = await gpu.prepare(trainingFile(), { id, host: 'test-gpu' });
    const spec = gpuSpec(id, file.id, 'standin/ok-2x10');
    const error = await failure(
      gpu.start({ ...spec, lora: { ...(spec.lora as NonNullable<typeof spec.lora>), r: 0 } }),
    );
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toContain('r: must be >= 1');
    expect(existsSync(`${sshd.dir}/jobs/${id}/.launched`)).toBe(false);
    expect((await failure(gpu.start({ ...spec, model: 'not a model; rm -rf /' }))).kind).toBe('invalid_request');
  });
});

describe('pre-flight', () => {
  it('reports the host’s GPU, disk and problems; the data check waits for the upload', async () => {
    const { trainingFileId: _, ...spec } = gpuSpec('ft-zzzzzz', '', 'standin/ok-2x10', 'test-gpu');
    const report = await gpu.preflight?.({ ...spec, trainingBytes: 1000 });
    expect(report).toMatchObject({
      ok: true,
      host: 'test-gpu',
      gpuType: 'A100-80GB',
      gpuName: 'Stand-in GPU 80GB',
      gpuMemoryBytes: 80 * 1024 ** 3,
      freeDiskBytes: 500 * 1024 ** 3,
      problems: [],
      load: { maxJobs: 1 },
    });
    const gated = await gpu.preflight?.({ ...spec, model: 'standin/gated-2x10', trainingBytes: 1000 });
    expect(gated?.ok).toBe(false);
    expect(gated?.problems.map((p) => p.reason)).toEqual(['gated_model']);
    const typo = await gpu.preflight?.({ ...spec, model: 'two words', trainingBytes: 1000 });
    expect(typo).toMatchObject({ ok: false, host: 'test-gpu', problems: [{ reason: 'bad_spec' }] });
  });

  it('a host that cannot be reached is a report saying why, and auto picks one that answers', async () => {
    const dead = gpuHostFor(sshd, { name: 'dead', port: 1 });
    const both = poolFor([dead, gpuHostFor(sshd)]);
    try {
      const provider = gpuProviderFor([dead, gpuHostFor(sshd)], both);
      const { trainingFileId: _, host: _h, ...spec } = gpuSpec('ft-zzzzzz', '', 'standin/ok-2x10');
      const down = await provider.preflight?.({ ...spec, host: 'dead', trainingBytes: 10 });
      expect(down).toMatchObject({ ok: false, host: 'dead', problems: [{ reason: 'unreachable' }] });
      expect(down?.problems[0]?.message).toContain('dead');
      const auto = await provider.preflight?.({ ...spec, trainingBytes: 10 });
      expect(auto).toMatchObject({ ok: true, host: 'test-gpu' });
      // prepare with auto puts the file on the host that answers.
      const id = nextId();
      const file = await provider.prepare(trainingFile(), { id, model: 'standin/ok-2x10' });
      expect(file.id).toBe(`gpu:test-gpu:${id}`);
      expect(await provider.discardUploads(id)).toBe(1);
    } finally {
      await both.close();
    }
  });
});
