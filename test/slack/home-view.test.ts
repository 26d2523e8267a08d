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
      channelId: 'C0CHAN',
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
});
