import { describe, expect, it } from 'vitest';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { slashCommandBody } from '../support/slack-request.ts';
import { startJob, updates, useJobHarness } from './job-flow.ts';

/**
 * Slack's rate limit on the job message's edits (Tier 3 chat.update): a 429 pauses progress edits
 * for its Retry-After and nothing else — the thread, the monitor and people's modals go on — and
 * the message is then edited once, to the newest state.
 */

const { h, openai } = useJobHarness();

describe('a rate-limited job message edit', () => {
  it('pauses edits for Retry-After, keeps interactive calls moving, then edits once with the latest state', async () => {
    const { job } = await startJob(h);
    const id = job.providerJobId as string;
    const edits = () => h.slack.callsTo('chat.update').length - before;
    const before = h.slack.callsTo('chat.update').length;
    let limited = 0;
    h.slack.on('chat.update', (args) => {
      if (limited++ === 0) {
        return { status: 429, headers: { 'retry-after': '30' }, body: { ok: false, error: 'ratelimited' } };
      }
      return { ok: true, channel: args.channel, ts: args.ts };
    });

    openai.advance(id, { status: 'running' }, [FakeOpenAI.metrics(1, 90, 2.4)]);
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(edits()).toBe(1); // the one Slack refused
    // The thread still hears the status change: posts are not held behind the paused edits.
    expect(h.slack.callsTo('chat.postMessage').some((c) => String(c.args.thread_ts) === job.messageTs)).toBe(true);

    // Within the 30 s Slack asked for: news is recorded, no edit is tried.
    for (const step of [2, 3, 4]) {
      openai.advance(id, {}, [FakeOpenAI.metrics(step, 90, 2.4 - step / 10)]);
      h.advance(9_000);
      await h.bot?.monitor.tick();
    }
    expect(edits()).toBe(1);
    expect((await h.withStore((s) => s.getJob(job.id)))?.progress.step).toBe(4);

    // People are not kept waiting by it: a command's modal opens at once.
    const started = Date.now();
    const res = await h.post(slashCommandBody({ text: 'start' }));
    expect(res.status).toBe(200);
    await h.slack.waitFor('views.open');
    expect(Date.now() - started).toBeLessThan(3000);

    // After the wait: one edit, showing the newest step.
    h.advance(5_000);
    await h.bot?.monitor.tick();
    expect(edits()).toBe(2);
    expect(JSON.stringify(updates(h).at(-1)?.blocks)).toContain('step 4 of 90');
  });
});
