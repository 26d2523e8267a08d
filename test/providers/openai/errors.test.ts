import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { scrub } from '../../../src/providers/openai/errors.ts';
import { createOpenAIProvider } from '../../../src/providers/openai/index.ts';
import { ProviderError } from '../../../src/providers/types.ts';
import { API_KEY, fixture, OPENAI_BASE, OPENAI_ORIGIN, useNock } from './support.ts';

const ref = { provider: 'openai' as const, id: 'ftjob-abc123' };
const provider = (maxRetries = 0) => createOpenAIProvider({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries });
const failure = async (p: Promise<unknown>) => {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
};

describe('errors in plain words, without secrets', () => {
  useNock();

  it('scrubs the API key a 401 echoes back, and says what to check', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs/ftjob-abc123')
      .reply(
        401,
        {
          error: {
            message: `Incorrect API key provided: ${API_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        },
        { 'x-request-id': 'req_401' },
      );
    const error = await failure(provider().snapshots([ref]));
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false, requestId: 'req_401' });
    expect(error.message).toContain('Incorrect API key provided: [redacted]');
    expect(JSON.stringify({ ...error, message: error.message, hint: error.hint })).not.toContain(API_KEY);
    expect(error.hint).toContain('OPENAI_API_KEY');
  });

  it('retries a 500 (as the SDK does) and then says the provider is unavailable, retryable', async () => {
    let calls = 0;
    nock(OPENAI_ORIGIN)
      .post('/v1/fine_tuning/jobs/ftjob-abc123/cancel')
      .times(2)
      .reply(() => {
        calls++;
        return [
          500,
          { error: { message: 'The server had an error.', type: 'server_error' } },
          { 'retry-after-ms': '0' },
        ];
      });
    const error = await failure(provider(1).cancel(ref));
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, status: 500 });
    expect(calls).toBe(2);
  });

  it('recovers when the retry succeeds', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs/ftjob-abc123')
      .reply(503, { error: { message: 'Overloaded' } }, { 'retry-after-ms': '0' })
      .get('/v1/fine_tuning/jobs/ftjob-abc123')
      .reply(200, fixture('job-succeeded'));
    await expect(provider(1).snapshots([ref])).resolves.toHaveProperty('size', 1);
  });

  it('reads a plain 429 as a passing rate limit', async () => {
    nock(OPENAI_ORIGIN)
      .post('/v1/fine_tuning/jobs/ftjob-abc123/cancel')
      .reply(429, {
        error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
      });
    await expect(provider().cancel(ref)).rejects.toMatchObject({ kind: 'rate_limit', retryable: true });
  });

  it('reads a 403 outside job creation as a permission problem, not the wind-down', async () => {
    nock(OPENAI_ORIGIN)
      .post('/v1/fine_tuning/jobs/ftjob-abc123/cancel')
      .reply(403, {
        error: { message: 'You have insufficient permissions for this operation.', type: 'permission_error' },
      });
    const error = await failure(provider().cancel(ref));
    expect(error.kind).toBe('permission');
    expect(error.hint).toMatch(/permissions/);
  });

  it('reads a refused connection as a network problem', async () => {
    // Nothing listens there, and nock lets no request out.
    const offline = createOpenAIProvider({ apiKey: API_KEY, baseURL: 'https://unreachable.test/v1', maxRetries: 0 });
    await expect(offline.cancel(ref)).rejects.toMatchObject({ kind: 'network', retryable: true });
  });
});

describe('scrub', () => {
  it('removes known secrets and anything shaped like a key or token', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const text = `key sk-proj-abcDEF123456 header Bearer ${jwt} api-key: 0123456789abcdef custom my-secret-value`;
    const out = scrub(text, ['my-secret-value']);
    expect(out).not.toMatch(/sk-proj|eyJ|0123456789abcdef|my-secret-value/);
    expect(out).toContain('[redacted]');
  });
});
