import { describe, expect, it } from 'vitest';
import { formatDuration, progressBar, relativeIn, slackDate } from '../../src/slack/job-format.ts';
import {
  JOB_CANCEL_ACTION_ID,
  JOB_DEPLOY_ACTION_ID,
  JOB_REFRESH_ACTION_ID,
  JOB_TRY_ACTION_ID,
} from '../../src/slack/job-ids.ts';
import { jobMessage } from '../../src/slack/job-message.ts';
import type { JobPhase } from '../../src/store/types.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { buttons, makeJob, NOW, textOf } from './job-fixture.ts';

const ctx = { now: NOW, providerLabel: 'OpenAI' };
const PHASES: JobPhase[] = [
  'awaiting_approval',
  'rejected',
  'starting',
  'validating',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
];

describe('the job message', () => {
  it.each(PHASES)('stays within Slack’s limits and has a meaningful fallback when %s', (phase) => {
    const message = jobMessage(makeJob({ phase, fineTunedModel: phase === 'succeeded' ? 'ft:x' : null }), ctx);
    expect(checkMessage(message)).toEqual([]);
    expect(message.text).toMatch(/^Fine-tune ft-7k2m9q \(gpt-4\.1-mini-2025-04-14 \(support-bot\) on OpenAI\): \w/);
    for (const b of buttons(message.blocks)) expect(b.value).toBe('ft-7k2m9q');
  });

  it('shows a running job: step, progress bar, losses, ETA, tokens and cost so far', () => {
    const message = jobMessage(makeJob(), ctx);
    const text = textOf(message.blocks);
    expect(text).toContain(':runner: *Running*: step 480 of 1,000\n▰▰▰▰▰▱▱▱▱▱ 48%');
    expect(text).toContain('*Train loss*\n0.4213');
    expect(text).toContain('*Valid loss*\n0.5120');
    expect(text).toContain('*ETA*\nin 12 min (<!date^1795522320^{time}|12:12 UTC>)');
    expect(text).toContain('*Tokens trained*\n1,234,567');
    expect(text).toContain('*Cost*\n≈ $0.84 so far · $1.75 estimated');
    expect(text).toContain('*Requested by*\n<@U0ASKER>');
    expect(text).toContain('`gpt-4.1-mini-2025-04-14` · suffix `support-bot`');
    expect(message.text).toBe(
      'Fine-tune ft-7k2m9q (gpt-4.1-mini-2025-04-14 (support-bot) on OpenAI): running, 48% done, ETA in 12 min',
    );
  });

  it('offers Cancel (danger, confirmed, saying what is billed) and Refresh while active', () => {
    const [cancel, refresh, ...rest] = buttons(jobMessage(makeJob(), ctx).blocks);
    expect(rest).toEqual([]);
    expect(cancel).toMatchObject({ action_id: JOB_CANCEL_ACTION_ID, text: 'Cancel', style: 'danger' });
    expect(JSON.stringify(cancel?.confirm)).toContain('Cancel this job?');
    expect(JSON.stringify(cancel?.confirm)).toContain('The provider bills the tokens already trained');
    expect(refresh).toMatchObject({ action_id: JOB_REFRESH_ACTION_ID, text: 'Refresh' });

    const queued = buttons(jobMessage(makeJob({ phase: 'queued' }), ctx).blocks);
    expect(JSON.stringify(queued[0]?.confirm)).toContain('nothing is billed');
  });

  it('names the approvers and the limit while waiting, with a Withdraw button only', () => {
    const message = jobMessage(makeJob({ phase: 'awaiting_approval', estimateUsd: 240, providerJobId: null }), {
      ...ctx,
      approvers: ['U0A', 'U0B'],
      maxJobUsd: 100,
    });
    expect(textOf(message.blocks)).toContain(
      'the estimate, $240.00, is over the $100.00 limit per job, so <@U0A> or <@U0B> must approve it before it starts.',
    );
    expect(buttons(message.blocks).map((b) => b.text)).toEqual(['Withdraw']);
  });

  it('summarises a success: model id, duration, tokens, cost against the estimate, final losses, Try it', () => {
    const job = makeJob({
      phase: 'succeeded',
      fineTunedModel: 'ft:gpt-4.1-mini-2025-04-14:acme:support-bot:AbC123',
      actualUsd: 1.62,
      finishedAt: '2026-11-24T12:17:00.000Z',
    });
    const message = jobMessage(job, ctx);
    const text = textOf(message.blocks);
    expect(text).toContain(
      '*Succeeded* in 1 h 12 min.\nYour model: `ft:gpt-4.1-mini-2025-04-14:acme:support-bot:AbC123`',
    );
    expect(text).toContain('*Cost*\n$1.62 · estimate $1.75 ($0.13 under)');
    expect(text).toContain('*Final train loss*\n0.4213');
    expect(text).toContain('*Tokens trained*\n1,234,567');
    expect(text).toContain('The loss curve is in the thread');
    expect(text).not.toContain('*ETA*');
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual([JOB_TRY_ACTION_ID]);
    expect(message.text).toContain('succeeded: ft:gpt-4.1-mini-2025-04-14:acme:support-bot:AbC123 is ready');
  });

  it('offers Deploy only for Azure, with the hosting cost in the confirm', () => {
    const job = makeJob({ provider: 'azure', phase: 'succeeded', fineTunedModel: 'gpt-4.1-mini-2025-04-14.ft-abc' });
    const b = buttons(jobMessage(job, { ...ctx, providerLabel: 'Azure OpenAI' }).blocks);
    expect(b.map((x) => x.action_id)).toEqual([JOB_TRY_ACTION_ID, JOB_DEPLOY_ACTION_ID]);
    expect(JSON.stringify(b[1]?.confirm)).toContain('$1.70 an hour');
  });

  it('says why a job failed in the provider’s words, escaped, with the hint, and offers Try again only', () => {
    const job = makeJob({
      phase: 'failed',
      actualUsd: 0,
      error: { code: 'invalid_file', message: 'Line 3 <has> no "messages"', hint: 'Run /finetune validate & fix it.' },
    });
    const message = jobMessage(job, ctx);
    const text = textOf(message.blocks);
    expect(text).toContain(
      ':x: *Failed*: Line 3 &lt;has&gt; no "messages"\n:bulb: Run /finetune validate &amp; fix it.',
    );
    expect(text).toContain('$0.00: failed jobs are not billed.');
    expect(buttons(message.blocks)).toEqual([
      expect.objectContaining({ action_id: 'job_retry', text: 'Try again', value: job.id }),
    ]);
    expect(message.text).toContain('failed: Line 3 &lt;has&gt; no "messages"');
  });

  it('shows who cancelled and who rejected', () => {
    const cancelled = makeJob({
      phase: 'cancelled',
      finishedAt: '2026-11-24T11:30:00.000Z',
      error: { code: 'cancelled', message: 'Cancelled by <@U0BOSS>.' },
    });
    expect(textOf(jobMessage(cancelled, ctx).blocks)).toContain('*Cancelled* by <@U0BOSS> <!date^');
    const rejected = makeJob({
      phase: 'rejected',
      approval: { decision: 'rejected', by: 'U0BOSS', at: '2026-11-24T11:10:00.000Z' },
    });
    const text = textOf(jobMessage(rejected, ctx).blocks);
    expect(text).toContain('*Rejected* by <@U0BOSS>');
    expect(text).toContain('Nothing was started or billed.');
    expect(buttons(jobMessage(rejected, ctx).blocks)).toEqual([]);
  });

  it('escapes what people typed: suffix and file name cannot ping or link', () => {
    const job = makeJob({
      request: {
        ...makeJob().request,
        suffix: '<!channel>',
        trainingFileName: '<https://evil|x>.jsonl',
      },
    });
    const text = textOf(jobMessage(job, ctx).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('waits for the first step without a bar when the total is unknown', () => {
    const job = makeJob({ progress: {} });
    const text = textOf(jobMessage(job, ctx).blocks);
    expect(text).toContain('*Running*: waiting for the first training step.');
    expect(text).toContain('*Cost*\n$1.75 estimated');
  });
});

describe('job formatting', () => {
  it('draws a ten-segment bar', () => {
    expect(progressBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(progressBar(100)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
  });
  it('says durations and ETAs the way people do', () => {
    expect(formatDuration(30_000)).toBe('30 s');
    expect(formatDuration(45 * 60_000)).toBe('45 min');
    expect(formatDuration(120 * 60_000)).toBe('2 h');
    expect(relativeIn(new Date(NOW.getTime() - 5 * 60_000), NOW)).toBe('any moment now');
    expect(slackDate('2026-11-24T12:12:00.000Z', 'time')).toBe('<!date^1795522320^{time}|12:12 UTC>');
  });
});
