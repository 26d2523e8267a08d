import { describe, expect, it } from 'vitest';
import { slashCommandBody } from '../support/slack-request.ts';
import { BOT_TOKEN, SECRET } from './harness.ts';
import { startJob, useJobHarness, waitForJob } from './job-flow.ts';

/** GET /metrics on the running bot in HTTP mode, after real Slack requests and provider calls. */

const { h, openai } = useJobHarness();

async function scrape(): Promise<string> {
  const res = await fetch(`${h.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one sample, `name{labels}`, with the labels in any order; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** Every label value on the page. */
function labelValues(text: string): string[] {
  return [...text.matchAll(/^[\w:]+\{(.*)\} /gm)].flatMap((m) =>
    [...(m[1] ?? '').matchAll(/="([^"]*)"/g)].map((v) => v[1] ?? ''),
  );
}

describe('GET /metrics on a running bot', () => {
  it('counts slash commands by known subcommand, times their acks, and counts a Slack rate limit', async () => {
    let opens = 0;
    // Slack rate-limits the first views.open: the client waits the second it asks for, then tries again.
    h.slack.on('views.open', () =>
      ++opens === 1
        ? { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '0' } }
        : { ok: true, view: { id: 'V0' } },
    );
    expect((await h.post(slashCommandBody({ text: 'advise' }))).status).toBe(200);
    await h.slack.waitFor('views.open', 2);
    // What a person types, and who they are, must not become a label.
    const typed = 'xoxb-9-9-typedSECRET please tune U0TYPED';
    expect((await h.post(slashCommandBody({ text: typed, userId: 'U0SECRETUSER' }))).status).toBe(200);

    const text = await scrape();
    expect(sample(text, 'finetune_slack_requests_total', { kind: 'command' })).toBe(2);
    expect(sample(text, 'finetune_slack_commands_total', { subcommand: 'advise' })).toBe(1);
    expect(sample(text, 'finetune_slack_commands_total', { subcommand: 'unknown' })).toBe(1);
    expect(sample(text, 'finetune_slack_ack_seconds_count', { kind: 'command' })).toBe(2);
    // Both acked well inside Slack's 3 s.
    expect(sample(text, 'finetune_slack_ack_seconds_bucket', { kind: 'command', le: '3' })).toBe(2);
    expect(sample(text, 'finetune_slack_unacked_total', { kind: 'command' })).toBeUndefined();
    expect(sample(text, 'finetune_slack_rate_limited_total', { method: 'views.open' })).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    for (const value of labelValues(text)) {
      expect(value).toMatch(/^[a-z_.+0-9A-Z]*$/);
      for (const secret of ['SECRET', 'U0', 'T0001', 'C0CHAN', 'please', BOT_TOKEN, SECRET]) {
        expect(value).not.toContain(secret);
      }
    }
  });

  it('counts provider calls and failures by kind, and shows unfinished jobs by phase', async () => {
    const { job } = await startJob(h);
    let text = await scrape();
    expect(sample(text, 'finetune_provider_calls_total', { provider: 'openai', method: 'prepare' })).toBe(1);
    expect(sample(text, 'finetune_provider_calls_total', { provider: 'openai', method: 'start' })).toBe(1);
    expect(sample(text, 'finetune_jobs', { phase: job.phase, provider: 'openai' })).toBe(1);
    expect(sample(text, 'finetune_jobs', { phase: 'awaiting_approval', provider: 'openai' })).toBe(0);
    expect(sample(text, 'finetune_slack_requests_total', { kind: 'view_submission' })).toBe(2);

    // OpenAI refuses the key: one failed create, counted under its kind, and the key nowhere on the page.
    openai.fail((r) => r.method === 'POST' && r.path === '/fine_tuning/jobs', {
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided: sk-e2e-secret.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          param: null,
        },
      },
    });
    await startJob(h, { fileId: 'file-abc' });
    const failed = await waitForJob(h, (j) => j.phase === 'failed');
    expect(failed.error?.code).toBe('auth');
    text = await scrape();
    expect(sample(text, 'finetune_provider_errors_total', { provider: 'openai', method: 'start', kind: 'auth' })).toBe(
      1,
    );
    expect(sample(text, 'finetune_provider_calls_total', { provider: 'openai', method: 'start' })).toBe(2);
    expect(sample(text, 'finetune_jobs', { phase: job.phase, provider: 'openai' })).toBe(1);
    expect(text).not.toContain('sk-e2e-secret');
  });
});
