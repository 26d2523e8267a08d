import { HttpFailure, type JsonClient } from '../http/json-client.ts';
import type { TrainingFile } from '../types.ts';
import type { WireFile } from './wire.ts';

/** Uploads are one long request; a minute per 100 MB, never less than five. */
const uploadTimeoutMs = (bytes: number) => Math.max(5 * 60_000, Math.ceil(bytes / 100e6) * 60_000);

/**
 * Together's upload, as its own SDK does it (together-ai lib/upload): `POST /files` with the name
 * and purpose answers 302 with a signed URL and the new file's id (`x-together-file-id`); the bytes
 * go there in one streamed PUT with their length, so a large file is never held in memory; then
 * the file is read back. Nothing is retried: a second POST would make a second file, and the
 * caller discards this job's uploads before it tries again.
 */
export async function uploadFile(client: JsonClient, file: TrainingFile): Promise<WireFile> {
  const redirect = await client.respond({
    method: 'POST',
    path: '/files',
    query: { file_name: file.name, file_type: 'jsonl', purpose: 'fine-tune' },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ file_name: file.name, file_type: 'jsonl', purpose: 'fine-tune' }).toString(),
  });
  const location = redirect.headers.get('location');
  const fileId = redirect.headers.get('x-together-file-id');
  await redirect.body?.cancel();
  if (redirect.status !== 302 || !location || !fileId || !safeUploadUrl(location, client.baseURL)) {
    throw new HttpFailure({
      status: 502,
      detail: `${client.label} did not hand out an upload link (HTTP ${redirect.status}).`,
    });
  }
  await client.request({
    method: 'PUT',
    path: '',
    url: location,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes) },
    body: ReadableStream.from(file.open()),
    retry: false,
    timeoutMs: uploadTimeoutMs(file.bytes),
  });
  return client.request<WireFile>({ method: 'GET', path: `/files/${encodeURIComponent(fileId)}` });
}

/** The data goes only over https, or to the API's own origin (a local proxy or a test server). */
function safeUploadUrl(location: string, baseURL: string): boolean {
  try {
    const url = new URL(location);
    return url.protocol === 'https:' || url.origin === new URL(baseURL).origin;
  } catch {
    return false;
  }
}

/** Our job's uploads (named `<job id>-…`), newest first as Together lists them. */
export async function listFiles(client: JsonClient): Promise<WireFile[]> {
  const page = await client.request<{ data?: WireFile[] }>({ method: 'GET', path: '/files' });
  return page.data ?? [];
}
