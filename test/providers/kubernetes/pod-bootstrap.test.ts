import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../../src/providers/types.ts';
import { FakeK8s } from '../../support/fake-k8s.ts';
import { EXAMPLES, jobSpec, provider, trainingFile } from './helpers.ts';

/**
 * The pod's side, for real: the Secret the provider wrote is laid out as the kubelet mounts it,
 * the Job's own command runs (python3 pod_bootstrap.py) with the tests' stand-in trainer, which
 * speaks the real events protocol, and what it prints becomes the pod's log in the fake API server.
 * The provider then follows that log as it would a cluster's.
 */

const STANDIN = fileURLToPath(new URL('../../support/standin-trainer.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
const JOB = 'ft-abc234';
const NAME = `ftbot-${JOB}`;
const ref = { provider: 'k8s' as const, id: `k8s:ml:${JOB}` };

let fake: FakeK8s;
let k8s: Provider;

beforeEach(async () => {
  fake = new FakeK8s('ml');
  await fake.start();
  k8s = provider(fake, { trainerScript: STANDIN });
});

afterEach(async () => {
  await fake.stop();
});

/** The kubelet's part: the Secret's keys as files, then the container's command with the mounts mapped. */
function runPod(): { child: ChildProcess; done: Promise<number> } {
  const root = mkdtempSync(join(tmpdir(), 'ftbot-pod-'));
  const input = join(root, 'in');
  const job = join(root, 'job');
  mkdirSync(input);
  for (const [key, value] of Object.entries(fake.secrets.get(NAME)?.data ?? {})) {
    writeFileSync(join(input, key), Buffer.from(String(value), 'base64'));
  }
  const container = fake.jobs.get(NAME)?.spec.template.spec.containers[0];
  const mapped = (container.command as string[]).map((a) => a.replace(/^\/ftbot\/in/, input).replace(/^\/job$/, job));
  const child = spawn(mapped[0] as string, mapped.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  fake.run(NAME);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => fake.log(NAME, line));
  }
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, done };
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasPython)('the trainer pod', () => {
  it('unpacks the Secret, runs the trainer, and its events reach the bot through the log', async () => {
    await k8s.prepare(trainingFile(EXAMPLES), { id: JOB });
    await k8s.start(jobSpec(JOB, { model: 'standin/ok-4x50' }));
    const pod = runPod();
    const code = await pod.done;
    expect(code).toBe(0);
    fake.finish(NAME, code);
    const status = await k8s.poll(ref);
    expect(status.state).toBe('succeeded');
    expect(status.model).toBe('standin/ok-4x50');
    const steps = status.events.flatMap((e) => (e.metrics ? [e.metrics.step] : []));
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(status.events.at(-1)?.message).toMatch(/Training finished/);
    expect(status.adapter?.path).toMatch(/:\/.+\/job\/output\/adapter$/);
    expect((await k8s.checkpoints(ref)).map((c) => c.step)).toEqual([2, 4]);
  });

  it('passes SIGTERM on to the trainer, which saves the adapter and ends as cancelled', async () => {
    await k8s.prepare(trainingFile(EXAMPLES), { id: JOB });
    await k8s.start(jobSpec(JOB, { model: 'standin/ok-200x50' }));
    const pod = runPod();
    await until(async () => (await k8s.events(ref)).events.some((e) => e.metrics?.step === 2));
    pod.child.kill('SIGTERM');
    const code = await pod.done;
    expect(code).toBe(3);
    fake.finish(NAME, code);
    const status = await k8s.poll(ref);
    expect(status.state).toBe('cancelled');
    expect(status.events.at(-1)?.message).toMatch(/Cancelled at step \d+/);
  });

  it('says what went wrong when the job folder cannot be made', async () => {
    await k8s.prepare(trainingFile(EXAMPLES), { id: JOB });
    await k8s.start(jobSpec(JOB));
    const secret = fake.secrets.get(NAME);
    delete secret?.data['trainer.json.gz'];
    const code = await runPod().done;
    expect(code).toBe(1);
    fake.finish(NAME, code);
    const status = await k8s.poll(ref);
    expect(status.state).toBe('failed');
    expect(status.error?.message).toMatch(/could not set up the job folder: FileNotFoundError/);
  });
});
