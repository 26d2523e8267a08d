import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonClient, HttpFailure, toHostedError } from '../../../src/providers/http/json-client.ts';

/** A server that answers from a script, one reply per request, and counts what it got. */
let server: Server;
let replies: Array<{ status: number; headers?: Record<string, string>; body?: string }>;
let seen: Array<{ method: string; url: string; authorization?: string }>;

beforeEach(async () => {
  replies = [];
  seen = [];
  server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const reply = replies.shift() ?? { status: 200, body: '{"ok":true}' };
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function client(waits: number[] = [], maxRetryWaitMs = 30_000) {
  const { port } = server.address() as AddressInfo;
  return createJsonClient({
    label: 'Acme AI',
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey: 'acme-secret-key-123456',
    retryBaseMs: 1,
    maxRetryWaitMs,
    wait: async (ms) => {
      waits.push(ms);
    },
  });
}

describe('the hosted providers’ JSON client', () => {
  it('retries a read after the Retry-After the provider sent, with the key, and returns the answer', async () => {
    const waits: number[] = [];
    replies.push({ status: 429, headers: { 'retry-after': '3' } }, { status: 200, body: '{"n":1}' });
    expect(await client(waits).request({ method: 'GET', path: '/things', query: { limit: 5 } })).toEqual({ n: 1 });
    expect(waits).toEqual([3000]);
    expect(seen.map((s) => s.url)).toEqual(['/v1/things?limit=5', '/v1/things?limit=5']);
    expect(seen[0]?.authorization).toBe('Bearer acme-secret-key-123456');
  });

  it('does not retry before a Retry-After longer than it would wait: the caller gets the wait', async () => {
    replies.push({ status: 429, headers: { 'retry-after': '120' } });
    const error = await client([], 30_000)
      .request<never>({ method: 'GET', path: '/things' })
      .catch((e: unknown) => e as HttpFailure);
    expect(error).toBeInstanceOf(HttpFailure);
    expect(error.retryAfterMs).toBe(120_000);
    expect(seen).toHaveLength(1);
    const shown = toHostedError(error, 'Acme AI', { auth: 'a', permission: 'p', quota: 'q' });
    expect(shown).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 120_000 });
    expect((shown as Error).message).toContain('asked to wait 120 s');
  });

  it('never sends a create twice, and never retries a conflict', async () => {
    replies.push({ status: 503 });
    await expect(client().request({ method: 'POST', path: '/jobs', json: {} })).rejects.toMatchObject({ status: 503 });
    replies.push({ status: 409, body: '{"error":{"message":"exists"}}' });
    await expect(client().request({ method: 'DELETE', path: '/jobs/1' })).rejects.toMatchObject({ status: 409 });
    expect(seen.map((s) => s.method)).toEqual(['POST', 'DELETE']);
  });

  it('keeps the key out of an error the provider echoes back', async () => {
    replies.push({
      status: 401,
      body: '{"error":{"message":"bad key acme-secret-key-123456","code":"invalid_api_key"}}',
    });
    const error = await client()
      .request<never>({ method: 'GET', path: '/me' })
      .catch((e: unknown) => e as HttpFailure);
    expect(error.detail).toBe('bad key [redacted]');
    expect(error.code).toBe('invalid_api_key');
  });

  it('an answer that is not JSON, or none at all, is a clear failure', async () => {
    replies.push({ status: 200, body: '<html>proxy</html>' });
    await expect(client().request({ method: 'POST', path: '/x', json: {} })).rejects.toThrow(
      'The answer was not JSON.',
    );
    const { port } = server.address() as AddressInfo;
    const closed = createJsonClient({
      label: 'Acme AI',
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'k',
      maxRetries: 0,
    });
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    const error = await closed.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e as HttpFailure);
    expect(error).toMatchObject({ status: 0, detail: 'Could not reach Acme AI.' });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
});
