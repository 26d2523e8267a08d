import type OpenAI from 'openai';
import { toStreamingFile } from 'openai';
import { ProviderError, type TrainingFile } from '../types.ts';

export interface UploadOptions {
  /** Above this many bytes the Uploads API is used; files.create takes at most 512 MB. */
  threshold?: number;
  /** Bytes per Uploads API part; at most 64 MB. */
  partSize?: number;
  /** Per request: a 512 MB part of the body over a slow link takes a while. */
  timeoutMs?: number;
  /** Waiting for the provider to finish processing the file before a job may use it. */
  pollIntervalMs?: number;
  maxWaitMs?: number;
}

export const MB = 1024 * 1024;
const DEFAULTS = {
  threshold: 512 * MB,
  partSize: 64 * MB,
  timeoutMs: 30 * 60_000,
  pollIntervalMs: 2_000,
  maxWaitMs: 10 * 60_000,
};
const MIME = 'text/jsonl';

/** Where the file went; the caller names it in the FileRef. */
export interface Uploaded {
  id: string;
  bytes: number;
}

/**
 * Sends a training file with purpose `fine-tune`, streaming it from `file.open()`: one multipart
 * request up to the threshold, otherwise an Upload in parts (each part is held while it is sent,
 * so the SDK can retry it; the file never is). A failed multi-part upload is cancelled so it does
 * not linger for its hour. Waits until the provider has processed the file, since a job created
 * on an unprocessed file is refused.
 */
export async function uploadTrainingFile(
  client: OpenAI,
  file: TrainingFile,
  resumable: boolean,
  options: UploadOptions = {},
): Promise<Uploaded> {
  const o = { ...DEFAULTS, ...options };
  if (file.bytes > o.threshold && !resumable) {
    throw new ProviderError(
      'invalid_file',
      `${file.name} is ${Math.ceil(file.bytes / MB)} MB; the limit here is ${Math.floor(o.threshold / MB)} MB.`,
      {
        hint: 'Split the data into a smaller training file (or train on a sample), then upload again.',
      },
    );
  }
  const uploaded =
    file.bytes > o.threshold
      ? await uploadInParts(client, file, o)
      : await client.files.create(
          { file: toStreamingFile(file.open(), file.name, { type: MIME }), purpose: 'fine-tune' },
          { timeout: o.timeoutMs },
        );
  await waitUntilProcessed(client, uploaded, o);
  return { id: uploaded.id, bytes: uploaded.bytes ?? file.bytes };
}

interface FileState {
  id: string;
  bytes?: number;
  status?: string;
  status_details?: string | null;
}

async function uploadInParts(client: OpenAI, file: TrainingFile, o: typeof DEFAULTS): Promise<FileState> {
  const upload = await client.uploads.create({
    bytes: file.bytes,
    filename: file.name,
    mime_type: MIME,
    purpose: 'fine-tune',
  });
  try {
    const partIds: string[] = [];
    let sent = 0;
    for await (const part of slices(file.open(), o.partSize)) {
      sent += part.size;
      const created = await client.uploads.parts.create(upload.id, { data: part }, { timeout: o.timeoutMs });
      partIds.push(created.id);
    }
    if (sent !== file.bytes) {
      throw new ProviderError(
        'invalid_file',
        `${file.name} changed while it was uploading (${sent} of ${file.bytes} bytes).`,
        {
          hint: 'Upload the file again once nothing is writing to it.',
        },
      );
    }
    const done = await client.uploads.complete(upload.id, { part_ids: partIds });
    if (!done.file) throw new Error(`upload ${upload.id} completed without a file`);
    return done.file;
  } catch (error) {
    // Best effort: the original failure is what the person needs to see.
    await client.uploads.cancel(upload.id, { maxRetries: 0 }).catch(() => undefined);
    throw error;
  }
}

/** The stream cut into parts of exactly `size` bytes (the last one shorter), each as one Blob. */
export async function* slices(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Blob> {
  let pieces: Uint8Array[] = [];
  let filled = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - filled, chunk.length - offset);
      // A copy: a source may reuse its buffer for the next chunk.
      pieces.push(chunk.slice(offset, offset + take));
      filled += take;
      offset += take;
      if (filled === size) {
        yield new Blob(pieces);
        pieces = [];
        filled = 0;
      }
    }
  }
  if (filled > 0) yield new Blob(pieces);
}

async function waitUntilProcessed(client: OpenAI, file: FileState, o: typeof DEFAULTS): Promise<void> {
  const deadline = Date.now() + o.maxWaitMs;
  let current = file;
  // `status` is deprecated in OpenAI's spec but still sent; Azure's is the only readiness signal.
  while (current.status && current.status !== 'processed') {
    if (current.status === 'error' || current.status === 'deleted') {
      throw new ProviderError(
        'invalid_file',
        `The provider could not process ${file.id}: ${current.status_details ?? current.status}.`,
        {
          hint: 'Run `/finetune validate` on the file, fix what it reports, and upload it again.',
        },
      );
    }
    if (Date.now() >= deadline) {
      throw new ProviderError(
        'unavailable',
        `${file.id} is still being processed after ${Math.round(o.maxWaitMs / 60_000)} minutes.`,
        {
          hint: 'The provider is slow to process files right now; try again in a few minutes.',
          retryable: true,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, o.pollIntervalMs));
    current = (await client.files.retrieve(file.id)) as FileState;
  }
}
