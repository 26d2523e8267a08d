import { describe, expect, it } from 'vitest';
import { buildHomeView } from '../../src/slack/home-view.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { checkView } from '../support/slack-limits.ts';
import { makeJob, NOW } from './job-fixture.ts';

describe('the Home tab', () => {
  it('invites a first recommendation when there is none', () => {
    const view = buildHomeView([]);
    expect(checkView(view)).toEqual([]);
    expect(JSON.stringify(view)).toContain('None yet. Try `/finetune advise`');
  });

  it('lists recent recommendations, at most 20, within limits', () => {
    const advice = {
      createdAt: '2026-11-20T10:00:00.000Z',
      postedIn: { channelId: 'C0CHAN' },
      useCase: 'Ticket <triage>',
      recommendation: {
        headline: 'Fine-tune: yes',
        confidence: 'high' as const,
        provider: { provider: 'azure' as const, name: 'Azure OpenAI', model: 'gpt-4.1-mini-2025-04-14', why: [] },
      },
    };
    const view = buildHomeView(Array.from({ length: 30 }, () => advice));
    expect(checkView(view)).toEqual([]);
    const text = JSON.stringify(view);
    expect(text).toContain('Fine-tune: yes — *Ticket &lt;triage&gt;*');
    expect(text).toContain('<!date^1795168800^{date_short}|2026-11-20> in <#C0CHAN>');
    expect(view.blocks.filter((b) => b.type === 'section')).toHaveLength(21);
  });

  it('says where each answer went when it did not reach a channel', () => {
    const base = {
      createdAt: '2026-11-20T10:00:00.000Z',
      useCase: 'Triage',
      recommendation: { headline: 'Fine-tune: not yet', confidence: 'low' as const },
    };
    const text = JSON.stringify(
      buildHomeView([
        { ...base, postedIn: 'dm' },
        { ...base, postedIn: 'not-delivered' },
      ]),
    );
    expect(text).toContain('sent to you privately');
    expect(text).toContain('not delivered');
    expect(text).not.toContain('<#');
  });
});

describe('the Home tab’s jobs', () => {
  const job = (over: Partial<JobRecord>) => makeJob(over);
  it('lists active and recent jobs and this month’s spend by provider, within limits', () => {
    const view = buildHomeView([], {
      now: NOW,
      active: Array.from({ length: 12 }, (_, i) => job({ id: `ft-run${i}` })),
      recent: [job({ id: 'ft-done', phase: 'succeeded', fineTunedModel: 'ft:m', actualUsd: 3.1 })],
      monthSpend: [
        { provider: 'openai', jobs: 3, succeeded: 2, failed: 1, usd: 1234.56 },
        { provider: 'azure', jobs: 1, succeeded: 1, failed: 0, usd: 20 },
      ],
    });
    expect(checkView(view)).toEqual([]);
    const text = JSON.stringify(view);
    expect(text).toContain('Active jobs');
    expect(text).toContain('*ft-run9*');
    expect(text).not.toContain('*ft-run10*');
    expect(text).toContain('…and 2 more');
    expect(text).toContain('*ft-done*');
    expect(text).toContain('*$1,254.56* so far\\n• *OpenAI*: $1,234.56 · 3 jobs\\n• *Azure OpenAI*: $20.00 · 1 job');
    expect(text).toContain('None yet. Try `/finetune advise`');
  });

  it('says when nothing runs and nothing was spent', () => {
    const text = JSON.stringify(buildHomeView([], { now: NOW, active: [], recent: [], monthSpend: [] }));
    expect(text).toContain('Nothing running. Start a job with `/finetune start`');
    expect(text).toContain('No finished jobs yet.');
    expect(text).toContain('Nothing spent on fine-tuning this month.');
  });

  it('shows no jobs part when the caller gives none (as before)', () => {
    expect(JSON.stringify(buildHomeView([]))).not.toContain('Active jobs');
  });
});
