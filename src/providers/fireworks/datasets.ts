import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FileRef, isUploadOf, ProviderError, type TrainingFile } from '../types.ts';
import { type FireworksContext, fail, isStatus, safeText, toFireworksError } from './client.ts';
import { datasetIdFor, datasetPrefixFor, lastSegment } from './names.ts';

/**
 * Training data goes up as a dataset: create it (empty, `userUploaded`), send the bytes, wait until
 * Fireworks says READY. Files up to 150 MB go in one multipart `:upload`; larger ones through
 * `:getUploadEndpoint` (a signed Cloud Storage URL, PUT without our key) and `:validateUpload`,
 * as Fireworks' own SDK does (fireworks/lib/dataset_upload.py). The file is streamed from
 * `open()` either way, never held whole. A failed upload deletes its dataset: nothing half-made
 * stays behind under the job's name.
 */

export interface UploadOptions {
  /** Above this many bytes the signed-URL route is used; Fireworks' `:upload` takes 150 MB. */
  singleRequestMaxBytes?: number;
  /** Per upload request; a large file over a slow link takes a while. */
  timeoutMs?: number;
  /** Waiting for Fireworks to finish reading the file before a job may use it. */
  pollIntervalMs?: number;
  maxWaitMs?: number;
}

const MB = 1024 * 1024;
const DEFAULTS: Required<UploadOptions> = {
  singleRequestMaxBytes: 150 * MB,
  timeoutMs: 30 * 60_000,
  pollIntervalMs: 2_000,
  maxWaitMs: 10 * 60_000,
};

interface WireDataset {
  name?: string;
  displayName?: string;
  state?: string;
  status?: { code?: string | number; message?: string };
}

export async function uploadDataset(ctx: FireworksContext, file: TrainingFile, options: UploadOptions = {}) {
  const o = { ...DEFAULTS, ...options };
  const id = datasetIdFor(file.name);
  const name = ctx.names.dataset(id);
  await createDataset(ctx, id, file.name);
  try {
    const fileName = storedFileName(file.name);
    if (file.bytes > o.singleRequestMaxBytes) await sendSigned(ctx, name, fileName, file, o);
    else await sendMultipart(ctx, name, fileName, file, o);
    await waitUntilReady(ctx, name, file.name, o);
  } catch (error) {
    // Best effort: the failure itself is what the person needs to see.
    await ctx.http.request({ method: 'DELETE', path: `/v1/${name}` }).catch(() => undefined);
    throw toFireworksError(error, 'upload');
  }
  const ref: FileRef = { provider: 'fireworks', id: name, name: file.name, bytes: file.bytes };
  return ref;
}

/**
 * Creates the empty dataset. One already there under this id is an upload of this very file that
 * a crash cut off (the id derives from the upload name): it goes, and the upload starts over.
 */
async function createDataset(ctx: FireworksContext, id: string, displayName: string): Promise<void> {
  const create = () =>
    ctx.http.request({
      method: 'POST',
      path: `/v1/${ctx.names.account}/datasets`,
      json: { datasetId: id, dataset: { displayName: displayName.slice(0, 200), userUploaded: {} } },
    });
  try {
    await create();
  } catch (error) {
    if (!isStatus(error, 409)) throw toFireworksError(error, 'upload');
    await ctx.http.request({ method: 'DELETE', path: `/v1/${ctx.names.dataset(id)}` }).catch(fail('upload'));
    await create().catch(fail('upload'));
  }
}

/** The name the file has inside the dataset: Fireworks looks for a `.jsonl` file. */
function storedFileName(uploadName: string): string {
  const base = lastSegment(uploadName)
    .replace(/[^\w.-]+/g, '_')
    .replace(/\.jsonl$/i, '');
  return `${base || 'train'}.jsonl`;
}

async function sendMultipart(
  ctx: FireworksContext,
  name: string,
  fileName: string,
  file: TrainingFile,
  o: Required<UploadOptions>,
): Promise<void> {
  const boundary = `----finetune-bot-${randomBytes(12).toString('hex')}`;
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  async function* body(): AsyncGenerator<Uint8Array> {
    yield head;
    yield* file.open();
    yield tail;
  }
  await ctx.http.request({
    method: 'POST',
    path: `/v1/${name}:upload`,
    body: ReadableStream.from(body()),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    // A stream is read once: a lost answer is found out by the READY wait, not by sending again.
    retry: false,
    timeoutMs: o.timeoutMs,
  });
}

async function sendSigned(
  ctx: FireworksContext,
  name: string,
  fileName: string,
  file: TrainingFile,
  o: Required<UploadOptions>,
): Promise<void> {
  const endpoint = await ctx.http.request<{ filenameToSignedUrls?: Record<string, string> }>({
    method: 'POST',
    path: `/v1/${name}:getUploadEndpoint`,
    json: { filenameToSize: { [fileName]: String(file.bytes) } },
  });
  const url = endpoint.filenameToSignedUrls?.[fileName];
  if (!url || (ctx.requireHttps && !url.startsWith('https://'))) {
    throw new ProviderError('unavailable', 'Fireworks did not give a usable upload link for the training file.', {
      hint: 'Try again in a few minutes; if it keeps happening, upload a smaller file (up to 150 MB goes directly).',
      retryable: true,
    });
  }
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: 'PUT',
      // Both headers are part of the URL's signature (Fireworks' SDK sends exactly these).
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(file.bytes),
        'x-goog-content-length-range': `${file.bytes},${file.bytes}`,
      },
      body: ReadableStream.from(file.open()),
      duplex: 'half',
      signal: AbortSignal.timeout(o.timeoutMs),
    } as RequestInit);
  } catch {
    throw new ProviderError('network', 'Could not send the training file to Fireworks’ storage.', {
      hint: 'Try again in a minute; if it keeps happening, check the network between the bot and storage.googleapis.com.',
      retryable: true,
    });
  }
  if (!res.ok) {
    const said = safeText(ctx, await res.text().catch(() => ''));
    throw new ProviderError(
      'unavailable',
      `Fireworks’ storage refused the training file (HTTP ${res.status})${said ? `: ${said}` : '.'}`,
      {
        hint: 'Try again; an upload link lasts an hour. If the file changed while it was sent, upload it again.',
        retryable: true,
        status: res.status,
      },
    );
  }
  await ctx.http.request({ method: 'POST', path: `/v1/${name}:validateUpload`, json: {} });
}

/** Polls the dataset until Fireworks has read it: a job on a dataset still UPLOADING is refused. */
async function waitUntilReady(
  ctx: FireworksContext,
  name: string,
  shownName: string,
  o: Required<UploadOptions>,
): Promise<void> {
  const deadline = Date.now() + o.maxWaitMs;
  for (;;) {
    const dataset = await ctx.http.request<WireDataset>({ method: 'GET', path: `/v1/${name}` });
    const code = dataset.status?.code;
    if (code !== undefined && code !== 'OK' && code !== 0) {
      throw new ProviderError(
        'invalid_file',
        `Fireworks could not read ${shownName}: ${safeText(ctx, dataset.status?.message ?? String(code))}`,
        {
          hint: 'Fireworks takes JSONL with one {"messages": [...]} chat example per line (at least 3); run /finetune validate on the file, fix what it reports, and start again.',
        },
      );
    }
    // READY, or no state at all (nothing left to wait for).
    if (dataset.state !== 'UPLOADING') return;
    if (Date.now() >= deadline) {
      throw new ProviderError(
        'unavailable',
        `Fireworks had not finished reading ${shownName} after ${Math.round(o.maxWaitMs / 60_000)} min.`,
        { hint: 'Try again later; large files take longer to be processed.', retryable: true },
      );
    }
    await sleep(o.pollIntervalMs);
  }
}

/**
 * Deletes the datasets made for our job: those whose id starts with the job id's slug (as
 * `datasetIdFor` makes them), or whose display name is an upload name of the job. Newest pages
 * first is not offered, so a few pages of up to 200 are read.
 */
export async function discardDatasets(ctx: FireworksContext, jobId: string): Promise<number> {
  const prefix = datasetPrefixFor(jobId);
  const ours: string[] = [];
  let pageToken: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = await ctx.http
      .request<{ datasets?: WireDataset[]; nextPageToken?: string }>({
        method: 'GET',
        path: `/v1/${ctx.names.account}/datasets`,
        query: { pageSize: 200, pageToken },
      })
      .catch(fail('read'));
    for (const d of page.datasets ?? []) {
      if (!d.name) continue;
      if (lastSegment(d.name).startsWith(prefix) || isUploadOf(jobId, d.displayName)) ours.push(d.name);
    }
    pageToken = page.nextPageToken || undefined;
    if (!pageToken) break;
  }
  let deleted = 0;
  for (const name of ours) {
    try {
      await ctx.http.request({ method: 'DELETE', path: `/v1/${name}` });
      deleted++;
    } catch (error) {
      // Gone meanwhile: what we wanted.
      if (!isStatus(error, 404)) throw toFireworksError(error);
    }
  }
  return deleted;
}
