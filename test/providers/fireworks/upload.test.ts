import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFireworksProvider } from '../../../src/providers/fireworks/index.ts';
import { datasetIdFor } from '../../../src/providers/fireworks/names.ts';
import { isUploadOf, uploadName } from '../../../src/providers/types.ts';
import { chatLines, FakeFireworks, trainingFile } from '../../support/fake-fireworks.ts';

const JOB = 'ft-upl234';
let fake: FakeFireworks;

beforeEach(async () => {
  fake = await new FakeFireworks().start();
});
afterEach(() => fake.stop());

const provider = (upload: Parameters<typeof createFireworksProvider>[0]['upload'] = {}) =>
  createFireworksProvider({
    apiKey: fake.apiKey,
    accountId: fake.accountId,
    baseURL: fake.baseURL,
    retryBaseMs: 1,
    upload: { pollIntervalMs: 1, ...upload },
  });

const only = <T>(items: Iterable<T>): T => {
  const all = [...items];
  expect(all).toHaveLength(1);
  return all[0] as T;
};

describe('prepare: a dataset from the training file', () => {
  it('creates the dataset and streams the bytes in one multipart :upload', async () => {
    const content = chatLines(40);
    const file = trainingFile(content, uploadName(JOB, 'Support Tickets (v2).jsonl'));
    const ref = await provider().prepare(file);

    const dataset = only(fake.datasets.values());
    expect(ref).toEqual({ provider: 'fireworks', id: dataset.name, name: file.name, bytes: file.bytes });
    expect(dataset).toMatchObject({ state: 'READY', displayName: `${JOB}-Support Tickets (v2).jsonl` });
    const [stored, bytes] = only(dataset.files.entries());
    expect(stored).toMatch(/\.jsonl$/);
    expect(bytes.toString('utf8')).toBe(content);
    expect(file.opened).toBe(1);
    expect(fake.requestsTo('POST', /:upload$/)).toHaveLength(1);
    expect(fake.requestsTo('POST', /:getUploadEndpoint$/)).toHaveLength(0);
  });

  it('sends a large file to the signed URL, without the API key, then validates the upload', async () => {
    const content = chatLines(60);
    const file = trainingFile(content, uploadName(JOB, 'big.jsonl'));
    await provider({ singleRequestMaxBytes: 1024 }).prepare(file);

    const dataset = only(fake.datasets.values());
    expect(only(dataset.files.values()).toString('utf8')).toBe(content);
    const put = only(fake.requests.filter((r) => r.method === 'PUT'));
    expect(put.authorization).toBeUndefined();
    expect(put.headers['x-goog-content-length-range']).toBe(`${file.bytes},${file.bytes}`);
    expect(put.headers['content-type']).toBe('application/octet-stream');
    const [endpoint] = fake.requestsTo('POST', /:getUploadEndpoint$/);
    expect(endpoint?.body).toEqual({ filenameToSize: { 'ft-upl234-big.jsonl': String(file.bytes) } });
    expect(fake.requestsTo('POST', /:validateUpload$/)).toHaveLength(1);
    expect(fake.requestsTo('POST', /:upload$/)).toHaveLength(0);
    expect(dataset.state).toBe('READY');
  });

  it('waits until Fireworks has read the file', async () => {
    fake.processingReads = 3;
    await provider().prepare(trainingFile(chatLines(5), uploadName(JOB, 'train.jsonl')));
    expect(fake.requestsTo('GET', /\/datasets\/[^/:]+$/)).toHaveLength(4);
  });

  it('replaces a dataset an interrupted upload left under the same name', async () => {
    const p = provider();
    const name = uploadName(JOB, 'train.jsonl');
    await p.prepare(trainingFile(chatLines(3), name));
    await p.prepare(trainingFile(chatLines(7), name));
    const dataset = only(fake.datasets.values());
    expect(only(dataset.files.values()).toString('utf8')).toBe(chatLines(7));
  });

  it('a file Fireworks refuses is an invalid file, and its dataset goes', async () => {
    fake.fail((r) => r.method === 'POST' && r.path.endsWith(':upload'), {
      status: 400,
      body: { code: 3, message: 'line 2: "messages" is required', details: [] },
    });
    const error = await provider()
      .prepare(trainingFile('{"prompt":"x"}\n{"prompt":"y"}\n', uploadName(JOB, 'bad.jsonl')))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid_file', status: 400 });
    expect((error as Error).message).toContain('"messages" is required');
    expect(fake.datasets.size).toBe(0);
  });

  it('a dataset Fireworks could not read is an invalid file with its reason, and it goes', async () => {
    fake.fail((r) => r.method === 'GET' && /\/datasets\/[^/:]+$/.test(r.path), {
      status: 200,
      body: { state: 'UPLOADING', status: { code: 'INVALID_ARGUMENT', message: 'line 3: not valid JSON' } },
    });
    const error = await provider()
      .prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid_file' });
    expect((error as Error).message).toContain('line 3: not valid JSON');
    expect(fake.datasets.size).toBe(0);
  });

  it('a refused signed upload says so without the link, and its dataset goes', async () => {
    fake.fail((r) => r.method === 'PUT', { status: 403, body: '<Error>SignatureDoesNotMatch</Error>' });
    const error = await provider({ singleRequestMaxBytes: 10 })
      .prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unavailable', status: 403, retryable: true });
    expect((error as Error).message).not.toContain('s3cr3tsig');
    expect(fake.datasets.size).toBe(0);
  });
});

describe('dataset ids', () => {
  it('are valid resource ids, deterministic, start with the job id, and differ for names that slug alike', () => {
    const a = datasetIdFor(uploadName(JOB, 'train_v1.jsonl'));
    const b = datasetIdFor(uploadName(JOB, 'train-v1.jsonl'));
    expect(a).toBe(datasetIdFor(uploadName(JOB, 'train_v1.jsonl')));
    expect(a).not.toBe(b);
    for (const id of [a, b, datasetIdFor(uploadName(JOB, `${'very long name '.repeat(10)}.jsonl`))]) {
      expect(id).toMatch(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])$/);
      expect(id.startsWith(`${JOB}-`)).toBe(true);
    }
    expect(isUploadOf(JOB, uploadName(JOB, 'x.jsonl'))).toBe(true);
  });
});
