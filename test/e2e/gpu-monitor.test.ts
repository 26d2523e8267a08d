import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import type { JobRecord, NewJob } from '../../src/store/types.ts';
import { PYTHON, TRAINING_TEXT } from '../providers/gpu/provider-helpers.ts';
import { type Sshd, startSshd } from '../support/sshd.ts';
import { GPU_START_OPTIONS } from './gpu-options.ts';
import { Harness } from './harness.ts';

/**
 * The real bot (HTTP mode, SQLite, Slack faked at the HTTP edge) with one GPU host configured by
 * the GPU_SSH_* variables, pointing at a real OpenSSH server on loopback that runs the stand-in
 * trainer. The job is created through the store, as the review step would, and started by the
 * monitor's resume; everything after is the monitor: edits in place, the thread, the summary once,
 * "monitoring degraded" once while the host is away and once when it is back, and a bot restart.
 */

let sshd: Sshd;
const settings: Record<string, string> = { POLL_CRON: '0 0 1 1 *', NOTICE_LEASE_SECONDS: '5' };
const h = new Harness(settings, GPU_START_OPTIONS);

beforeAll(async () => {
  sshd = await startSshd();
  Object.assign(settings, {
    GPU_SSH_HOST: sshd.host,
    GPU_SSH_PORT: String(sshd.port),
    GPU_SSH_USER: sshd.user,
    GPU_SSH_KEY_PATH: sshd.userKey.path,
    GPU_SSH_HOST_KEY: sshd.hostKey.fingerprintLine,
    GPU_SSH_NAME: 'test-gpu',
    GPU_SSH_PYTHON: PYTHON,
    GPU_SSH_WORK_DIR: `${sshd.dir}/jobs`,
    GPU_SSH_GPU_TYPE: 'A100-80GB',
  });
  await h.start();
});
afterAll(async () => {
  await h.stop();
  await sshd?.stop();
});

type Msg = { channel: string; ts?: string; thread_ts?: string; text: string; blocks?: unknown[] };
const updates = () => h.slack.callsTo('chat.update').map((c) => c.args as unknown as Msg);
const replies = () =>
  h.slack
    .callsTo('chat.postMessage')
    .map((c) => c.args as unknown as Msg)
    .filter((m) => m.thread_ts);
const replyText = () =>
  replies()
    .map((r) => r.text)
    .join('\n');

async function createGpuJob(model: string): Promise<JobRecord> {
  const url = h.slack.serve('tickets.jsonl', { body: TRAINING_TEXT });
  // The store as the review step writes it, on the bot's clock.
  const store = openStore({ kind: 'sqlite', path: h.dbPath }, { now: () => h.clock });
  const job: NewJob = {
    teamId: 'T0001',
    channelId: 'C0JOBS',
    requestedBy: 'U0REQ',
    provider: 'gpu',
    phase: 'starting',
    estimateUsd: 0.5,
    request: {
      model,
      method: 'supervised',
      hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
      lora: {
        method: 'qlora',
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
      slackFile: { id: 'F0TRAIN', name: 'tickets.jsonl', url, bytes: TRAINING_TEXT.length },
    },
  };
  try {
    return await store.createJob(job);
  } finally {
    await store.close();
  }
}

const getJob = (id: string) => h.withStore((s) => s.getJob(id)) as Promise<JobRecord>;

/** Ticks the monitor, the bot's clock moving past the edit interval each time, until `ready`. */
async function tickUntil(id: string, ready: (j: JobRecord) => boolean, ms = 30_000): Promise<JobRecord> {
  const until = Date.now() + ms;
  for (;;) {
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const job = await getJob(id);
    if (ready(job)) return job;
    if (Date.now() > until) throw new Error(`job not ready: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('a LoRA job on a GPU host over SSH, followed by the monitor', () => {
  it('starts, edits its message with progress, says when the host is away and back, survives a restart, and sums up once', async () => {
    h.slack.reset();
    const created = await createGpuJob('standin/ok-40x200');
    // The resume at the start of a tick picks the job up once the notice lease has passed.
    const started = await tickUntil(created.id, (j) => j.providerJobId !== null);
    expect(started.providerJobId).toBe(`gpu:test-gpu:${created.id}`);
    expect(started.request.trainingFileId).toBe(`gpu:test-gpu:${created.id}`);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => !(c.args as Msg).thread_ts)).toHaveLength(1);
    const messageTs = started.messageTs as string;
    expect(existsSync(`${sshd.dir}/jobs/${created.id}/train.jsonl`)).toBe(true);

    const running = await tickUntil(created.id, (j) => j.phase === 'running' && (j.progress.step ?? 0) >= 2);
    expect(running.progress).toMatchObject({
      host: 'test-gpu',
      totalSteps: 40,
      tokensPerSecond: 5000,
      gpuMemoryBytes: 12 * 1024 ** 3,
      gpuSeconds: expect.any(Number),
    });
    expect(running.eventCursor).toMatch(/^\d+$/);
    expect(updates().length).toBeGreaterThan(0);
    expect(updates().every((u) => u.ts === messageTs)).toBe(true);
    expect(JSON.stringify(updates().at(-1)?.blocks)).toMatch(/step \d+ of 40/);

    // The host goes away: the job is not failed, and the thread hears it once.
    await sshd.stopListener();
    for (let i = 0; i < 5; i++) {
      h.advance(31_000);
      await h.bot?.monitor.tick();
    }
    expect((await getJob(created.id)).phase).toBe('running');
    expect(replyText().match(/Monitoring degraded/g)).toHaveLength(1);
    expect(replyText()).toContain('test-gpu');

    // The bot restarts while the host is away; the warning is not repeated.
    await h.restart();
    for (let i = 0; i < 4; i++) {
      h.advance(31_000);
      await h.bot?.monitor.tick();
    }
    expect(replyText().match(/Monitoring degraded/g)).toHaveLength(1);

    // The host answers again: said once, and the job goes on to its end.
    await sshd.start();
    const done = await tickUntil(created.id, (j) => j.phase === 'succeeded', 40_000);
    expect(replyText().match(/Monitoring is back/g)).toHaveLength(1);
    expect(done).toMatchObject({
      fineTunedModel: `${sshd.dir}/jobs/${created.id}/output/adapter`,
      progress: { step: 40, totalSteps: 40, trainedTokens: 40_000 },
      actualUsd: expect.any(Number),
    });
    expect(done.progress.gpuSeconds).toBeGreaterThan(7);
    // Every step was read exactly once, across the outage and the restart.
    const points = await h.withStore((s) => s.lossPoints(created.id));
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const finalEdit = updates().at(-1);
    expect(finalEdit?.ts).toBe(messageTs);
    expect(h.slack.callsTo('files.completeUploadExternal')).toHaveLength(1);

    if (process.env.SHOW_REPLIES)
      console.log(replyText(), JSON.stringify(finalEdit?.blocks, null, 1), JSON.stringify(done));
    // Nothing is said twice.
    const before = h.slack.calls.length;
    for (let i = 0; i < 2; i++) {
      h.advance(61_000);
      await h.bot?.monitor.tick();
    }
    expect(h.slack.calls.slice(before).filter((c) => /chat\.(postMessage|update)/.test(c.method))).toEqual([]);
  }, 120_000);

  it('a failed trainer ends the job with its reason and hint, in the message and the thread', async () => {
    h.slack.reset();
    const created = await createGpuJob('standin/fail-4x100');
    const failed = await tickUntil(created.id, (j) => j.phase === 'failed', 40_000);
    expect(failed.error).toMatchObject({ code: 'cuda_oom', hint: expect.stringContaining('batch_size') });
    expect(replyText()).toContain('CUDA ran out of memory');
    expect(failed.actualUsd).not.toBeNull();
  }, 60_000);
});
