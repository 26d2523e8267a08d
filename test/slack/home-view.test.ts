import { describe, expect, it } from 'vitest';
import { buildHomeView } from '../../src/slack/home-view.ts';
import { checkView } from '../support/slack-limits.ts';

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
    expect(text).toContain('*Ticket &lt;triage&gt;*: Fine-tune: yes');
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
