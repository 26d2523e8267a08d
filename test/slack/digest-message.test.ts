import { describe, expect, it } from 'vitest';
import { change, digestMessage } from '../../src/slack/digest-message.ts';
import type { SpendRow } from '../../src/store/types.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { textOf } from './job-fixture.ts';

const row = (provider: SpendRow['provider'], jobs: number, usd: number, succeeded = jobs, failed = 0): SpendRow => ({
  provider,
  jobs,
  succeeded,
  failed,
  usd,
});
const period = { from: '2026-11-17T09:00:00.000Z', to: '2026-11-24T09:00:00.000Z' };

describe('the weekly digest', () => {
  it('counts the jobs and compares spend by provider with the week before', () => {
    const message = digestMessage({
      ...period,
      thisWeek: [row('openai', 4, 1240.5, 3, 1), row('azure', 1, 20)],
      weekBefore: [row('openai', 2, 1000), row('gpu', 1, 0)],
    });
    expect(checkMessage(message)).toEqual([]);
    const text = textOf(message.blocks);
    expect(text).toContain('*5 jobs* run (3 the week before) · :white_check_mark: 4 succeeded · :x: 1 failed');
    expect(text).toContain('*Spend: $1,260.50* ↑ 26% (was $1,000.00)');
    expect(text).toContain('• *OpenAI*: $1,240.50 ↑ 24% (was $1,000.00)');
    expect(text).toContain('• *Azure OpenAI*: $20.00 ↑ new (was $0.00)');
    expect(text).toContain('• *GPU host*: $0.00 → no change (was $0.00)');
    expect(message.text).toBe('Fine-tuning this week: 5 jobs, $1,260.50 spent (↑ 26% on the week before).');
  });

  it('handles an empty week, and two', () => {
    const quiet = digestMessage({ ...period, thisWeek: [], weekBefore: [row('openai', 2, 30)] });
    expect(checkMessage(quiet)).toEqual([]);
    expect(textOf(quiet.blocks)).toContain('No jobs this week (2 jobs the week before, $30.00).');
    expect(textOf(quiet.blocks)).toContain('*Spend: $0.00* ↓ 100% (was $30.00)');
    const empty = digestMessage({ ...period, thisWeek: [], weekBefore: [] });
    expect(checkMessage(empty)).toEqual([]);
    expect(empty.text).toBe('Fine-tuning this week: no jobs.');
    expect(textOf(empty.blocks)).toContain('No fine-tune jobs this week or the week before.');
  });

  it('writes changes as arrows and percents', () => {
    expect(change(80, 100)).toBe('↓ 20%');
    expect(change(100, 100)).toBe('→ no change');
    expect(change(100.4, 100)).toBe('↑ <1%');
  });
});
