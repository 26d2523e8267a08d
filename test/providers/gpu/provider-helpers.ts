import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GpuHost } from '../../../src/config/gpu.ts';
import { CATALOGUE } from '../../../src/cost/catalogue.ts';
import { createGpuProvider, type GpuProviderOptions } from '../../../src/providers/gpu/index.ts';
import type { SshPool } from '../../../src/providers/gpu/ssh-pool.ts';
import type { JobEvent, JobSpec, Provider, ProviderJobRef, TrainingFile } from '../../../src/providers/types.ts';
import type { Sshd } from '../../support/sshd.ts';
import { hostFor } from './helpers.ts';

/** The stand-in trainer (test/support/standin-trainer.py): the only double, at the process boundary. */
export const STANDIN = fileURLToPath(new URL('../../support/standin-trainer.py', import.meta.url));

/**
 * The Python the test host runs the trainer with. The sshd session has the system PATH, not the
 * test runner's (pyenv shims are not on it), so an absolute path where there is one.
 */
export const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p)) ?? 'python3';

export function gpuHostFor(sshd: Sshd, overrides: Partial<GpuHost> = {}): GpuHost {
  return hostFor(sshd, { python: PYTHON, workDir: `${sshd.dir}/jobs`, ...overrides });
}

/** The GPU provider on the test sshd with the stand-in trainer and short cancel grace periods. */
export function gpuProviderFor(hosts: GpuHost[], pool: SshPool, options: Partial<GpuProviderOptions> = {}): Provider {
  return createGpuProvider({
    hosts,
    pool,
    catalogue: CATALOGUE,
    trainerScript: STANDIN,
    cancel: { graceMs: 5_000, killGraceMs: 2_000, pollMs: 100 },
    ...options,
  });
}

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Ticket ${i}: my invoice is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
export const TRAINING_TEXT = `${Array.from({ length: 12 }, (_, i) => example(i)).join('\n')}\n`;

/** A training file read as a stream in small chunks. */
export function trainingFile(text = TRAINING_TEXT): TrainingFile {
  const data = Buffer.from(text);
  return {
    name: 'tickets.jsonl',
    bytes: data.length,
    async *open() {
      for (let at = 0; at < data.length; at += 100) yield data.subarray(at, at + 100);
    },
  };
}

export function gpuSpec(id: string, trainingFileId: string, model = 'standin/ok-4x100', host?: string): JobSpec {
  return {
    id,
    model,
    method: 'supervised',
    trainingFileId,
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
    channelId: 'C1',
    requestedBy: 'U1',
    lora: {
      method: 'lora',
      r: 8,
      alpha: 16,
      dropout: 0.1,
      targetModules: 'attention',
      epochs: 2,
      learningRate: 1e-4,
      batchSize: 2,
      gradientAccumulation: 2,
      maxLength: 512,
      packing: true,
    },
    ...(host ? { host } : {}),
  };
}

let seq = 0;
/** A fresh job id per call, in our pattern, distinct per test file (`salt`). */
export function jobIdMaker(salt: string): () => string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  if (!/^[a-hj-km-np-z2-9]{4}$/.test(salt)) throw new TypeError(`${salt} cannot start a job id`);
  return () => {
    const n = seq++;
    return `ft-${salt}${alphabet[Math.floor(n / alphabet.length) % alphabet.length]}${alphabet[n % alphabet.length]}`;
  };
}

/** The seqs of the events in a job folder's events.jsonl, read straight from disk (the host is this machine). */
export function fileSeqs(sshd: Sshd, jobId: string): string[] {
  const text = readFileSync(`${sshd.dir}/jobs/${jobId}/events.jsonl`, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => `seq-${(JSON.parse(l) as { seq: number }).seq}`);
}

/** Reads events page by page from `cursor`, as the monitor does, collecting them. */
export async function drain(
  gpu: Provider,
  ref: ProviderJobRef,
  cursor: string | null,
  into: JobEvent[],
): Promise<string | null> {
  const page = await gpu.events(ref, cursor);
  into.push(...page.events);
  return page.cursor;
}
