import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createOpenAIProvider } from '../../../src/providers/openai/index.ts';
import type { ProviderError } from '../../../src/providers/types.ts';
import { API_KEY, fixture, OPENAI_BASE, OPENAI_ORIGIN, trainingFile, useNock } from './support.ts';

const line = (i: number) => `${JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }] })}\n`;
const content = (bytes: number) => {
  let s = '';
  for (let i = 0; s.length < bytes; i++) s += line(i);
  return s.slice(0, bytes);
};

function provider() {
  return createOpenAIProvider({
    apiKey: API_KEY,
    baseURL: OPENAI_BASE,
    maxRetries: 0,
    upload: { threshold: 1024, partSize: 300, pollIntervalMs: 0 },
  });
}

describe('prepare: upload a training file', () => {
  useNock();

  it('sends a small file in one multipart files.create with purpose fine-tune, streamed', async () => {
    const file = trainingFile(content(900));
    let body = '';
    nock(OPENAI_ORIGIN)
      .post('/v1/files', (b) => {
        body = typeof b === 'string' ? b : Buffer.from(b as Buffer).toString('utf8');
        return true;
      })
      .reply(200, { ...fixture('file'), id: 'file-small1', bytes: 900, filename: 'train.jsonl' });

    const ref = await provider().prepare(file);

    expect(ref).toEqual({ provider: 'openai', id: 'file-small1', name: 'train.jsonl', bytes: 900 });
    expect(body).toMatch(/name="purpose"\r\n\r\nfine-tune/);
    expect(body).toMatch(/filename="train.jsonl"/);
    expect(body).toContain(content(900));
    expect(file.opened).toBe(1);
  });

  it('waits until the provider has processed the file', async () => {
    nock(OPENAI_ORIGIN)
      .post('/v1/files')
      .reply(200, { ...fixture('file'), id: 'file-slow', status: 'uploaded' })
      .get('/v1/files/file-slow')
      .reply(200, { ...fixture('file'), id: 'file-slow', status: 'uploaded' })
      .get('/v1/files/file-slow')
      .reply(200, { ...fixture('file'), id: 'file-slow', status: 'processed' });
    await expect(provider().prepare(trainingFile(content(100)))).resolves.toMatchObject({ id: 'file-slow' });
  });

  it('reports a file the provider could not process as an invalid file', async () => {
    nock(OPENAI_ORIGIN)
      .post('/v1/files')
      .reply(200, { ...fixture('file'), id: 'file-bad', status: 'error', status_details: 'Invalid file format.' });
    await expect(provider().prepare(trainingFile(content(100)))).rejects.toMatchObject({
      kind: 'invalid_file',
      message: expect.stringContaining('Invalid file format'),
    });
  });

  it('uses the Uploads API above the threshold: parts of the part size, completed in order', async () => {
    const text = content(2000);
    const file = trainingFile(text, 'big.jsonl', 128);
    const parts: string[] = [];
    let created: Record<string, unknown> = {};
    let completed: { part_ids?: string[] } = {};
    nock(OPENAI_ORIGIN)
      .post('/v1/uploads', (b) => {
        created = b;
        return true;
      })
      .reply(200, { ...fixture('upload'), bytes: 2000 })
      .post('/v1/uploads/upload_abc123/parts', (b) => {
        parts.push(String(b));
        return true;
      })
      .times(7)
      .reply(200, () => ({ ...fixture('upload-part'), id: `part_${parts.length}` }))
      .post('/v1/uploads/upload_abc123/complete', (b) => {
        completed = b;
        return true;
      })
      .reply(200, {
        ...fixture('upload'),
        status: 'completed',
        file: { ...fixture('file'), id: 'file-big1', bytes: 2000, filename: 'big.jsonl' },
      });

    const ref = await provider().prepare(file);

    expect(ref).toEqual({ provider: 'openai', id: 'file-big1', name: 'big.jsonl', bytes: 2000 });
    expect(created).toEqual({ bytes: 2000, filename: 'big.jsonl', mime_type: 'text/jsonl', purpose: 'fine-tune' });
    expect(parts).toHaveLength(7); // 6 × 300 + 200
    parts.forEach((body, i) => {
      expect(body).toContain(text.slice(i * 300, (i + 1) * 300));
    });
    expect(completed.part_ids).toEqual(['part_1', 'part_2', 'part_3', 'part_4', 'part_5', 'part_6', 'part_7']);
    expect(file.opened).toBe(1);
  });

  it('cancels the upload when a part fails, and reports the failure', async () => {
    let cancelled = false;
    nock(OPENAI_ORIGIN)
      .post('/v1/uploads')
      .reply(200, { ...fixture('upload'), bytes: 2000 })
      .post('/v1/uploads/upload_abc123/parts')
      .times(2)
      .reply(200, fixture('upload-part'))
      .post('/v1/uploads/upload_abc123/parts')
      .reply(400, { error: { message: 'Part is malformed.', type: 'invalid_request_error', param: null, code: null } })
      .post('/v1/uploads/upload_abc123/cancel')
      .reply(200, () => {
        cancelled = true;
        return { ...fixture('upload'), status: 'cancelled' };
      });

    const error = (await provider()
      .prepare(trainingFile(content(2000), 'big.jsonl'))
      .catch((e: unknown) => e)) as ProviderError;

    expect(error).toMatchObject({ name: 'ProviderError', kind: 'invalid_file', status: 400 });
    expect(error.message).toContain('Part is malformed');
    expect(cancelled).toBe(true);
  });

  it('cancels the upload when the file is shorter than it said', async () => {
    const file = { ...trainingFile(content(1500), 'big.jsonl'), bytes: 2000 };
    nock(OPENAI_ORIGIN)
      .post('/v1/uploads')
      .reply(200, { ...fixture('upload'), bytes: 2000 })
      .post('/v1/uploads/upload_abc123/parts')
      .times(5)
      .reply(200, fixture('upload-part'))
      .post('/v1/uploads/upload_abc123/cancel')
      .reply(200, { ...fixture('upload'), status: 'cancelled' });
    await expect(provider().prepare(file)).rejects.toMatchObject({ kind: 'invalid_file', message: /changed/ });
  });
});
