import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer } from '../src/health.ts';
import { createMetrics, metricsRoute, slackKind, subcommandOf } from '../src/metrics.ts';
import { meteredProvider, meterProviders } from '../src/providers/metered.ts';
import { type Provider, ProviderError } from '../src/providers/types.ts';
import type { JobRecord } from '../src/store/types.ts';

const noJobs = { listJobsInPhases: async () => [] as JobRecord[] };

async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string> = {}) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = metric?.values.find((v) =>
    Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
  );
  return found?.value;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

describe('metric labels', () => {
  it('name a Slack request by its envelope, never by what it carries', () => {
    expect(slackKind({ command: '/finetune', text: 'advise' })).toBe('command');
    expect(slackKind({ type: 'block_actions' })).toBe('block_actions');
    expect(slackKind({ type: 'event_callback', event: { type: 'app_home_opened' } })).toBe('event');
    expect(slackKind({ type: 'U0SECRET-made-up' })).toBe('other');
    expect(slackKind(null)).toBe('other');
  });

  it('keep a subcommand only when the bot knows it', () => {
    expect(subcommandOf('advise')).toBe('advise');
    expect(subcommandOf('  STATUS ft-7k2m9q')).toBe('status');
    expect(subcommandOf('')).toBe('help');
    expect(subcommandOf('xoxb-1-2-pasted-by-mistake')).toBe('unknown');
    expect(subcommandOf(undefined)).toBe('help');
  });

  it('keep a rate-limited Slack method only when it looks like one', async () => {
    const metrics = createMetrics({ store: noJobs });
    metrics.slackRateLimited('https://slack.com/api/chat.postMessage');
    metrics.slackRateLimited('https://files.slack.com/upload/v1/CwABAAAAXgr5SECRET?token=x');
    expect(await value(metrics, 'finetune_slack_rate_limited_total', { method: 'chat.postMessage' })).toBe(1);
    expect(await value(metrics, 'finetune_slack_rate_limited_total', { method: 'other' })).toBe(1);
  });
});

describe('the jobs gauge', () => {
  it('counts unfinished jobs by phase and provider from the store at each scrape, 0 for configured providers', async () => {
    const jobs = [
      { phase: 'running', provider: 'openai' },
      { phase: 'running', provider: 'openai' },
      { phase: 'queued', provider: 'gpu' },
    ] as JobRecord[];
    let asked: readonly string[] = [];
    const store = {
      listJobsInPhases: async (phases: readonly string[]) => {
        asked = phases;
        return jobs;
      },
    };
    const metrics = createMetrics({ store, providers: ['openai', 'azure'] });
    expect(await value(metrics, 'finetune_jobs', { phase: 'running', provider: 'openai' })).toBe(2);
    expect(await value(metrics, 'finetune_jobs', { phase: 'queued', provider: 'gpu' })).toBe(1);
    expect(await value(metrics, 'finetune_jobs', { phase: 'awaiting_approval', provider: 'azure' })).toBe(0);
    expect(asked).not.toContain('succeeded');
    jobs.pop();
    expect(await value(metrics, 'finetune_jobs', { phase: 'queued', provider: 'gpu' })).toBeUndefined();
  });

  it('still answers when the store does not, and counts that', async () => {
    const store = { listJobsInPhases: async () => Promise.reject(new Error('database is locked')) };
    const metrics = createMetrics({ store });
    const text = await metrics.registry.metrics();
    expect(text).toContain('finetune_metrics_store_errors_total 1');
    expect(text).toContain('process_cpu_seconds_total');
  });
});

class FakeAdapter {
  readonly id = 'together' as const;
  readonly label = 'Together AI';
  readonly capabilities = {} as Provider['capabilities'];
  readonly #calls: string[] = [];
  outcome: 'ok' | 'limit' | 'bug' = 'ok';
  async models() {
    this.#calls.push('models');
    return [];
  }
  async poll() {
    if (this.outcome === 'limit') throw new ProviderError('rate_limit', 'Too many requests', { hint: 'wait' });
    if (this.outcome === 'bug') throw new TypeError('x is undefined');
    return {} as never;
  }
  calls(): string[] {
    return this.#calls;
  }
}

describe('a metered provider', () => {
  it('counts and times each contract call, and each failure by its kind, leaving the rest as it was', async () => {
    const metrics = createMetrics({ store: noJobs });
    const adapter = new FakeAdapter();
    const provider = meteredProvider(adapter as unknown as Provider, metrics);
    await provider.models();
    await provider.models();
    await provider.poll({ provider: 'together', id: 'ft-1' });
    adapter.outcome = 'limit';
    const limit = await provider.poll({ provider: 'together', id: 'ft-1' }).catch((e: unknown) => e);
    adapter.outcome = 'bug';
    await expect(provider.poll({ provider: 'together', id: 'ft-1' })).rejects.toThrow(TypeError);

    // The adapter's own error comes through unchanged, and the adapter ran as itself (private fields).
    expect(limit).toBeInstanceOf(ProviderError);
    expect((provider as unknown as FakeAdapter).calls()).toEqual(['models', 'models']);
    expect('preflight' in provider).toBe(false);
    expect(provider.id).toBe('together');
    expect(provider.models).toBe(provider.models);

    const calls = (method: string) => value(metrics, 'finetune_provider_calls_total', { provider: 'together', method });
    expect(await calls('models')).toBe(2);
    expect(await calls('poll')).toBe(3);
    const errors = (kind: string) => value(metrics, 'finetune_provider_errors_total', { method: 'poll', kind });
    expect(await errors('rate_limit')).toBe(1);
    expect(await errors('other')).toBe(1);
    expect(await value(metrics, 'finetune_provider_call_seconds', { method: 'models' })).toBeDefined();
  });

  it('meters every configured provider', () => {
    const providers = meterProviders(
      { together: new FakeAdapter() as unknown as Provider },
      createMetrics({ store: noJobs }),
    );
    expect(Object.keys(providers)).toEqual(['together']);
    expect(providers.together?.label).toBe('Together AI');
  });
});

describe('Slack rate limits', () => {
  it('are counted from a WebClient’s rate_limited event, once however often it is watched', async () => {
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end('{"ok":false,"error":"ratelimited"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const client = new webApi.WebClient('xoxb-test', {
      slackApiUrl: `http://127.0.0.1:${port}/api/`,
      retryConfig: { retries: 1, minTimeout: 1, maxTimeout: 1 },
      // The client's own lines about the 429 would only be noise here.
      logLevel: webApi.LogLevel.ERROR,
    });
    const metrics = createMetrics({ store: noJobs });
    metrics.watchSlackClient(client);
    metrics.watchSlackClient(client);
    await client.chat.postMessage({ channel: 'C1', text: 'hi' });
    expect(calls).toBe(2);
    expect(await value(metrics, 'finetune_slack_rate_limited_total', { method: 'chat.postMessage' })).toBe(1);
  });
});

describe('GET /metrics', () => {
  it('serves the text format, on the Socket Mode health server too', async () => {
    const metrics = createMetrics({ store: noJobs });
    metrics.leaseTakenOver('notice');
    const server = await startHealthServer({ ping: async () => {} }, 0, [metricsRoute(metrics)]);
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('finetune_lease_takeovers_total{lease="notice"} 1');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});
