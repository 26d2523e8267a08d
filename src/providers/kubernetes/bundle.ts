import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';
import type { TrainerBundle } from '../gpu/trainer-files.ts';
import { ProviderError } from '../types.ts';

/**
 * What reaches the pod, without a shared filesystem the team would have to set up: one Secret per
 * job holding the training file (gzip), the trainer itself (its files as one gzip'd JSON object, so
 * the image needs only Python and the packages, and a job always runs the trainer of the bot that
 * started it, as on an SSH host), the pod's bootstrap script and, from start(), spec.json. A Secret
 * rather than a ConfigMap because training data is often private: Secrets have their own RBAC and
 * may be encrypted at rest. The API server refuses a Secret whose data exceeds 1 MiB, so the file is
 * measured as it is compressed and refused before anything is created.
 */

/** The API server's limit on a Secret's data (the sum of the decoded values). */
export const MAX_SECRET_BYTES = 1024 * 1024;
/** Kept free for spec.json, added at start. */
const SPEC_RESERVE = 16 * 1024;

export const KEYS = {
  spec: 'spec.json',
  training: 'train.jsonl.gz',
  trainer: 'trainer.json.gz',
  bootstrap: 'pod_bootstrap.py',
} as const;

export const DEFAULT_BOOTSTRAP = fileURLToPath(new URL('./pod_bootstrap.py', import.meta.url));

export interface PodFiles {
  /** The trainer's files as `{path: base64}`, gzip'd. */
  trainer: Buffer;
  bootstrap: Buffer;
  version: string;
}

export function podFiles(bundle: TrainerBundle, bootstrapPath = DEFAULT_BOOTSTRAP): PodFiles {
  const files = Object.fromEntries(bundle.files.map((f) => [f.path, f.data.toString('base64')]));
  return {
    trainer: gzipSync(JSON.stringify(files), { level: 9 }),
    bootstrap: readFileSync(bootstrapPath),
    version: bundle.version,
  };
}

/** Compressed bytes left for the training file. */
export function trainingBudget(files: PodFiles): number {
  return MAX_SECRET_BYTES - files.trainer.length - files.bootstrap.length - SPEC_RESERVE;
}

class OverBudget extends Error {}

/**
 * The file, gzip'd, or a ProviderError as soon as the compressed bytes pass `maxBytes`: the rest of
 * the file is not read (the download from Slack stops there). The file's own failures (a download
 * cut short) pass through untouched, for the caller to tell apart.
 */
export async function gzipWithin(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<{ gz: Buffer; rawBytes: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let rawBytes = 0;
  const counted = async function* () {
    for await (const chunk of source) {
      rawBytes += chunk.length;
      yield chunk;
    }
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new OverBudget());
      chunks.push(chunk);
      done();
    },
  });
  try {
    await pipeline(Readable.from(counted()), createGzip({ level: 9 }), sink);
  } catch (error) {
    if (!(error instanceof OverBudget)) throw error;
    throw new ProviderError(
      'invalid_file',
      `The training file is too large for a Kubernetes job: compressed, it is over the ${kb(maxBytes)} its Secret has room for ` +
        `(Kubernetes keeps a job’s files in a Secret of at most 1 MiB; ${kb(rawBytes)} read when it passed the limit).`,
      {
        hint: 'Train on a smaller file (a sample of this one), or on a GPU host over SSH (GPU_SSH_HOST), which has no such limit.',
      },
    );
  }
  return { gz: Buffer.concat(chunks), rawBytes };
}

const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;

/** The Secret's data before start: everything but spec.json, base64 as the API takes it. */
export function secretData(files: PodFiles, training: Buffer): Record<string, string> {
  return {
    [KEYS.training]: training.toString('base64'),
    [KEYS.trainer]: files.trainer.toString('base64'),
    [KEYS.bootstrap]: files.bootstrap.toString('base64'),
  };
}
