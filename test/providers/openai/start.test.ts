import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createOpenAIProvider } from '../../../src/providers/openai/index.ts';
import { API_KEY, fixture, OPENAI_BASE, OPENAI_ORIGIN, spec, useNock } from './support.ts';

// Default retries on: create must still be tried exactly once.
const provider = () => createOpenAIProvider({ apiKey: API_KEY, baseURL: OPENAI_BASE });
const emptyList = { object: 'list', data: [], has_more: false };
const LOOKUP = { limit: '10', 'metadata[ftbot_job_id]': 'job-1' };

function apiError(
  message: string,
  code: string | null = null,
  param: string | null = null,
  type = 'invalid_request_error',
) {
  return { error: { message, type, param, code } };
}

describe('start', () => {
  useNock();

  it('creates a supervised job with auto hyperparameters, our metadata, suffix, seed and validation file', async () => {
    let body: Record<string, unknown> = {};
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, emptyList)
      .post('/v1/fine_tuning/jobs', (b) => {
        body = b;
        return true;
      })
      .reply(200, { ...fixture('job-running'), id: 'ftjob-new1', status: 'validating_files' });

    const ref = await provider().start(spec({ suffix: 'support-bot', seed: 7, validationFileId: 'file-valid1' }));

    expect(ref).toEqual({ provider: 'openai', id: 'ftjob-new1' });
    expect(body).toEqual({
      model: 'gpt-4.1-mini-2025-04-14',
      training_file: 'file-train1',
      validation_file: 'file-valid1',
      suffix: 'support-bot',
      seed: 7,
      method: {
        type: 'supervised',
        supervised: { hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' } },
      },
      metadata: { ftbot_job_id: 'job-1', slack_channel: 'C0123ABCD', requested_by: 'U0123ABCD' },
    });
  });

  it('sends DPO with beta, and numbers where the spec sets them', async () => {
    let body: { method?: unknown } = {};
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, emptyList)
      .post('/v1/fine_tuning/jobs', (b) => {
        body = b;
        return true;
      })
      .reply(200, fixture('job-running'));
    await provider().start(
      spec({
        method: 'dpo',
        hyperparameters: { nEpochs: 2, batchSize: 'auto', learningRateMultiplier: 'auto', beta: 0.1 },
      }),
    );
    expect(body.method).toEqual({
      type: 'dpo',
      dpo: { hyperparameters: { n_epochs: 2, batch_size: 'auto', learning_rate_multiplier: 'auto', beta: 0.1 } },
    });
  });

  it('is idempotent: a job already carrying our id is returned and nothing is created', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, { object: 'list', data: [fixture('job-succeeded')], has_more: false });
    await expect(provider().start(spec())).resolves.toEqual({ provider: 'openai', id: 'ftjob-abc123' });
  });

  it('does not trust a list that ignored the metadata filter', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, {
        object: 'list',
        data: [{ ...fixture('job-succeeded'), metadata: { ftbot_job_id: 'job-other' } }],
        has_more: false,
      })
      .post('/v1/fine_tuning/jobs')
      .reply(200, { ...fixture('job-running'), id: 'ftjob-new2' });
    await expect(provider().start(spec())).resolves.toEqual({ provider: 'openai', id: 'ftjob-new2' });
  });

  it('turns a refused create into the wind-down explanation', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, emptyList)
      .post('/v1/fine_tuning/jobs')
      .reply(
        403,
        apiError('You do not have access to fine-tuning: permission denied.', null, null, 'permission_error'),
      );
    const error = await provider()
      .start(spec())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'wind_down', status: 403, retryable: false });
    expect((error as Error & { hint: string }).hint).toMatch(/2026-05-07/);
    expect((error as Error & { hint: string }).hint).toMatch(/2026-07-02/);
    expect((error as Error & { hint: string }).hint).toMatch(/2027-01-06/);
    expect((error as Error & { hint: string }).hint).toMatch(
      /Azure OpenAI, Together AI, Fireworks AI or your own GPU hosts/,
    );
    expect((error as Error & { hint: string }).hint).toMatch(/keep working/);
  });

  it('reports the daily job limit after exactly one create call', async () => {
    let creates = 0;
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, emptyList)
      .post('/v1/fine_tuning/jobs')
      .times(3)
      .reply(() => {
        creates++;
        return [
          429,
          apiError(
            "This fine-tuning request has been rate-limited. Your organization has reached the maximum of 3 fine-tuning requests per day for the model 'gpt-4.1-2025-04-14'.",
            'daily_rate_limit_exceeded',
            null,
            'tokens',
          ),
          { 'retry-after-ms': '0' },
        ];
      });
    const error = await provider()
      .start(spec())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'daily_limit', retryable: false, status: 429 });
    expect(creates).toBe(1);
    nock.cleanAll(); // the two unused replies are the point of the test
  });

  it('names the training file the provider rejected', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, emptyList)
      .post('/v1/fine_tuning/jobs')
      .reply(
        400,
        apiError(
          'File file-train1 has an invalid format: line 3 is not JSON.',
          'invalid_training_file',
          'training_file',
        ),
      );
    const error = await provider()
      .start(spec())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid_file', message: expect.stringContaining('file-train1') });
    expect((error as { hint: string }).hint).toContain('/finetune validate');
  });

  it('says which file is unknown when the create cannot find it', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(LOOKUP)
      .reply(200, emptyList)
      .post('/v1/fine_tuning/jobs')
      .reply(404, apiError('No such File object: file-train1', null, null));
    await expect(provider().start(spec())).rejects.toMatchObject({
      kind: 'invalid_file',
      message: expect.stringContaining('file-train1'),
      hint: expect.stringContaining('Upload the file again'),
    });
  });

  it('refuses a suffix over 64 characters before calling OpenAI', async () => {
    await expect(provider().start(spec({ suffix: 'x'.repeat(65) }))).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });
});
