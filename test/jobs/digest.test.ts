import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestData, monthStart } from '../../src/jobs/digest.ts';
import { postDigest } from '../../src/jobs/digest-post.ts';
import { RateBudget } from '../../src/slack/rate-budget.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeSlack } from '../support/fake-slack.ts';

const slack = new FakeSlack();
let store: Store;
beforeAll(async () => {
  await slack.start();
  store = openStore({ kind: 'sqlite-memory' });
});
afterAll(async () => {
  await store.close();
  await slack.stop();
});

const request = {
  model: 'gpt-4.1-mini-2025-04-14',
  method: 'supervised' as const,
  hyperparameters: { nEpochs: 'auto' as const, batchSize: 'auto' as const, learningRateMultiplier: 'auto' as const },
};

describe('the weekly digest', () => {
  it('posts this week’s jobs and spend by provider against the week before', async () => {
    const ok = await store.createJob({
      teamId: 'T1',
      channelId: 'C1',
      requestedBy: 'U1',
      provider: 'openai',
      request,
      phase: 'starting',
      estimateUsd: 5,
    });
    await store.updateJob(ok.id, { phase: 'succeeded', actualUsd: 4.5 });
    const bad = await store.createJob({
      teamId: 'T1',
      channelId: 'C1',
      requestedBy: 'U1',
      provider: 'azure',
      request,
      phase: 'starting',
      estimateUsd: 3,
    });
    await store.updateJob(bad.id, { phase: 'failed', actualUsd: 0 });
    const client = new webApi.WebClient('xoxb-digest', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    await postDigest({ store, now: () => new Date(Date.now() + 1000), client }, 'C0DIGEST');
    const [post] = await slack.waitFor('chat.postMessage');
    expect(post?.args.channel).toBe('C0DIGEST');
    const text = JSON.stringify(post?.args);
    expect(text).toContain('$4.50');
    expect(text).toMatch(/OpenAI/);
    expect(text).toMatch(/Azure OpenAI/);
    expect(text).toMatch(/1 succeeded|succeeded: 1|1 failed|failed: 1/);
  });

  it('is posted once per run however many replicas run the schedule, and again on the next run', async () => {
    const client = new webApi.WebClient('xoxb-digest', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    // Two replicas on one store fire the same cron minute, a few seconds apart.
    const run = new Date('2026-11-30T09:00:00.200Z');
    const replicas = [0, 2500].map((ms) =>
      postDigest({ store, now: () => new Date(run.getTime() + ms), client }, 'C0ONCE'),
    );
    expect((await Promise.all(replicas)).filter(Boolean)).toHaveLength(1);
    const next = new Date('2026-12-07T09:00:00.100Z');
    expect(await postDigest({ store, now: () => next, client }, 'C0ONCE')).toBe(true);
    const posts = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0ONCE');
    expect(posts).toHaveLength(2);
  });

  it('compares the seven days up to now with the seven before, each job in exactly one window', async () => {
    const now = new Date('2026-11-30T09:00:00.000Z');
    let clock = now;
    const windows = openStore({ kind: 'sqlite-memory' }, { now: () => clock });
    const day = 24 * 3600 * 1000;
    // Created 1 day, exactly 7 days, 8 days and 15 days before the digest; each cost a different amount.
    for (const [daysAgo, usd] of [
      [1, 1],
      [7, 2],
      [8, 10],
      [15, 100],
    ] as const) {
      clock = new Date(now.getTime() - daysAgo * day);
      const job = await windows.createJob({
        teamId: 'T1',
        channelId: 'C1',
        requestedBy: 'U1',
        provider: 'openai',
        request,
        phase: 'starting',
        estimateUsd: usd,
      });
      await windows.updateJob(job.id, { phase: 'succeeded', actualUsd: usd });
    }
    const data = await digestData(windows, now);
    expect(data.thisWeek).toEqual([expect.objectContaining({ provider: 'openai', jobs: 2, usd: 3 })]);
    expect(data.weekBefore).toEqual([expect.objectContaining({ provider: 'openai', jobs: 1, usd: 10 })]);
    expect(data.from).toBe('2026-11-23T09:00:00.000Z');
    await windows.close();
  });

  it('counts the month from its first day, UTC', () => {
    expect(monthStart(new Date('2026-11-24T15:00:00Z'))).toBe('2026-11-01T00:00:00.000Z');
  });
});

describe('RateBudget', () => {
  it('allows at most `limit` uses in any window, then frees them as they age', () => {
    let t = 0;
    const budget = new RateBudget(2, 60_000, () => t);
    expect([budget.take(), budget.take(), budget.take()]).toEqual([true, true, false]);
    t = 59_999;
    expect(budget.take()).toBe(false);
    t = 60_000;
    expect(budget.take()).toBe(true);
  });
});
