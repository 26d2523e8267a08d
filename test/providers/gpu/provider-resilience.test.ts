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
import { eventually, poolFor, sleep } from './helpers.ts';
import { drain, fileSeqs, gpuHostFor, gpuProviderFor, gpuSpec, jobIdMaker, trainingFile } from './provider-helpers.ts';

/**
 * The GPU provider when things go wrong: the connection cut mid-job, the bot restarted, a cancel
 * (flag, SIGTERM, SIGKILL), a host presenting another key, and a one-slot host's queue.
 */

let sshd: Sshd;
let pool: SshPool;
let gpu: Provider;
const nextId = jobIdMaker('rszn');

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
  return { id, ref };
}

async function until(provider: Provider, ref: ProviderJobRef, done: (s: JobSnapshot) => boolean, ms = 20_000) {
  return eventually(
    'the job state',
    async () => {
      const snap = (await provider.snapshots([ref])).get(ref.id);
      if (!snap || !done(snap)) throw new Error(`not yet: ${snap?.state} ${snap?.providerStatus}`);
      return snap;
    },
    ms,
  );
}

describe('a dropped connection and a restarted bot lose no event and repeat none', () => {
  it('reads on across the server killing the session mid-job', async () => {
    const { id, ref } = await startJob('standin/ok-16x100');
    const events: JobEvent[] = [];
    let cursor: string | null = null;
    await until(gpu, ref, (s) => s.state === 'running');
    cursor = await drain(gpu, ref, cursor, events);
    const before = events.length;
    expect(await sshd.cutConnections()).toBeGreaterThan(0);
    // While it reconnects, reads may fail; none of them moves the cursor.
    await eventually('reads after the cut', async () => {
      cursor = await drain(gpu, ref, cursor, events);
    });
    await until(gpu, ref, (s) => s.state === 'succeeded');
    cursor = await drain(gpu, ref, cursor, events);
    expect(events.length).toBeGreaterThan(before);
    expect(events.map((e) => e.id)).toEqual(fileSeqs(sshd, id));
  });

  it('a new provider object (the bot restarted) continues from the stored cursor', async () => {
    const { id, ref } = await startJob('standin/ok-10x120');
    const events: JobEvent[] = [];
    await until(gpu, ref, (s) => s.state === 'running');
    const stored = await drain(gpu, ref, null, events);
    const secondPool = poolFor([gpuHostFor(sshd)]);
    try {
      const restarted = gpuProviderFor([gpuHostFor(sshd)], secondPool);
      let cursor = stored;
      const final = await eventually(
        'the end, read by the new provider',
        async () => {
          const snap = (await restarted.snapshots([ref])).get(ref.id) as JobSnapshot;
          cursor = await drain(restarted, ref, cursor, events);
          if (snap.state !== 'succeeded') throw new Error(snap.state);
          return snap;
        },
        20_000,
      );
      cursor = await drain(restarted, ref, cursor, events);
      expect(final.adapter?.bytes).toBe(4096);
      expect(events.map((e) => e.id)).toEqual(fileSeqs(sshd, id));
      // The restarted provider's start for the same job finds it, and starts nothing new.
      expect(await restarted.start(gpuSpec(id, ref.id, 'standin/ok-10x120'))).toEqual(ref);
    } finally {
      await secondPool.close();
    }
  });
});

describe('cancel', () => {
  it('asks with the flag first: the trainer stops at its next step and keeps the adapter', async () => {
    const { id, ref } = await startJob('standin/ok-60x100');
    await until(gpu, ref, (s) => s.state === 'running');
    const outcome = await gpu.cancel(ref);
    expect(outcome).toMatchObject({ adapter: { path: `${sshd.dir}/jobs/${id}/output/adapter`, bytes: 4096 } });
    const snap = await until(gpu, ref, (s) => s.state === 'cancelled');
    expect(snap.adapter?.path).toBe(`${sshd.dir}/jobs/${id}/output/adapter`);
    const last = (await gpu.events(ref, null)).events.at(-1);
    expect(last).toMatchObject({ level: 'info', message: expect.stringContaining('the cancel flag file was found') });
  });

  it('sends SIGTERM after the grace period when the flag is not heeded, then SIGKILL when that is not either', async () => {
    const fast = gpuProviderFor([gpuHostFor(sshd)], pool, { cancel: { graceMs: 400, killGraceMs: 400, pollMs: 100 } });
    const deaf = await startJob('standin/deaf-60x100', fast);
    await until(fast, deaf.ref, (s) => s.state === 'running');
    expect(await fast.cancel(deaf.ref)).toMatchObject({ adapter: { bytes: 4096 } });
    const termed = (await gpu.events(deaf.ref, null)).events.at(-1);
    expect(termed?.message).toContain('SIGTERM');
    expect((await until(fast, deaf.ref, () => true)).state).toBe('cancelled');

    const stubborn = await startJob('standin/stubborn-60x100', fast);
    await until(fast, stubborn.ref, (s) => s.state === 'running');
    expect(await fast.cancel(stubborn.ref)).toEqual({ gpu: expect.objectContaining({ host: 'test-gpu' }) });
    const killed = await until(fast, stubborn.ref, (s) => s.state === 'failed');
    expect(killed.error?.code).toBe('killed');
  });
});

describe('a host presenting another key', () => {
  it('is refused with both fingerprints, and its jobs are left out rather than failed', async () => {
    const other = sshd.makeKey('not_the_host_key');
    const wrong = gpuHostFor(sshd, { hostKey: { fingerprint: other.fingerprint } });
    const wrongPool = poolFor([wrong]);
    try {
      const provider = gpuProviderFor([wrong], wrongPool);
      const ref: ProviderJobRef = { provider: 'gpu', id: 'gpu:test-gpu:ft-zzzzz2' };
      expect((await provider.snapshots([ref])).size).toBe(0);
      const error = await provider.poll(ref).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ kind: 'permission', retryable: false });
      expect((error as ProviderError).message).toContain(other.fingerprint);
      expect((error as ProviderError).message).toContain(sshd.hostKey.fingerprint);
      expect((error as ProviderError).hint).toMatch(/fingerprint/);
      const prepared = await provider.prepare(trainingFile(), { id: nextId(), host: 'test-gpu' }).catch((e) => e);
      expect(prepared).toMatchObject({ kind: 'permission' });
    } finally {
      await wrongPool.close();
    }
  });
});

describe('a one-slot host', () => {
  it('queues the second job with its place, and starts it when the first ends', async () => {
    const first = await startJob('standin/ok-30x100');
    await until(gpu, first.ref, (s) => s.state === 'running' || s.state === 'validating');
    const second = await startJob('standin/ok-12x100');
    const third = await startJob('standin/ok-2x50');
    const both = await gpu.snapshots([first.ref, second.ref, third.ref]);
    expect(both.get(second.ref.id)).toMatchObject({ state: 'queued', providerStatus: 'queued:1' });
    expect(both.get(third.ref.id)).toMatchObject({ state: 'queued', providerStatus: 'queued:2' });
    expect(existsSync(`${sshd.dir}/jobs/${second.id}/.launched`)).toBe(false);
    // The queue survives a restart of the bot: it is the folders on the host.
    const secondPool = poolFor([gpuHostFor(sshd)]);
    try {
      const restarted = gpuProviderFor([gpuHostFor(sshd)], secondPool);
      await until(restarted, first.ref, (s) => s.state === 'succeeded');
      const moved = await restarted.snapshots([second.ref, third.ref]);
      expect(moved.get(second.ref.id)?.state).not.toBe('queued');
      expect(moved.get(third.ref.id)).toMatchObject({ state: 'queued', providerStatus: 'queued:1' });
      // A queued job cancelled leaves the queue without ever running.
      expect(await restarted.cancel(third.ref)).toEqual({});
      await until(restarted, second.ref, (s) => s.state === 'succeeded');
      await sleep(200);
      const gone = (await restarted.snapshots([third.ref])).get(third.ref.id);
      expect(gone).toMatchObject({ state: 'cancelled' });
      expect(existsSync(`${sshd.dir}/jobs/${third.id}/.launched`)).toBe(false);
    } finally {
      await secondPool.close();
    }
  });
});

describe('a host with two GPUs', () => {
  it('gives each of two jobs running at once a GPU of its own', async () => {
    const twoGpus = gpuHostFor(sshd, { gpuCount: 2, maxJobs: 2 });
    const twoPool = poolFor([twoGpus]);
    try {
      const provider = gpuProviderFor([twoGpus], twoPool);
      const a = await startJob('standin/ok-30x100', provider);
      const b = await startJob('standin/ok-30x100', provider);
      // Both launched at once (two slots), each told its own GPU.
      await until(provider, a.ref, (s) => s.state !== 'queued', 40_000);
      await until(provider, b.ref, (s) => s.state !== 'queued', 40_000);
      const gpuOf = (id: string) => readFileSync(`${sshd.dir}/jobs/${id}/gpu`, 'utf8').trim();
      expect(new Set([gpuOf(a.id), gpuOf(b.id)])).toEqual(new Set(['0', '1']));
      await Promise.all([provider.cancel(a.ref), provider.cancel(b.ref)]);
    } finally {
      await twoPool.close();
    }
  }, 60_000);
});
