import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/advisor/questionnaire.ts';
import { recommend } from '../../src/advisor/recommend.ts';
import { buildRecommendationMessage } from '../../src/slack/recommendation-message.ts';
import { LEGAL as legal, NOW } from '../support/answers.ts';
import { checkMessage } from '../support/slack-limits.ts';

const input = (answers: Answers) => ({
  id: '3f2a9c1e-0000',
  userId: 'U0ASKER',
  answers,
  recommendation: recommend(answers, NOW),
});
const allText = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);
/** Only mrkdwn is parsed for mentions and links; plain_text shows `<!channel>` literally. */
const mrkdwnText = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(mrkdwnText)
    : value && typeof value === 'object'
      ? (value as { type?: string }).type === 'mrkdwn'
        ? [String((value as { text: string }).text)]
        : Object.values(value).flatMap(mrkdwnText)
      : [];

describe('the recommendation message', () => {
  it('shows the verdict, the reasons, the provider and the OpenAI warning, within Slack limits', () => {
    const message = buildRecommendationMessage(input(legal));
    expect(checkMessage(message)).toEqual([]);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Fine-tune: yes — Legal document classification', emoji: true },
    });
    expect(message.text).toMatch(/^Fine-tune: yes — Legal document classification\. High specialization/);
    const text = allText(message);
    expect(text).toContain('Asked by <@U0ASKER>');
    expect(text).toContain('*Where to fine-tune*');
    expect(text).toContain('*Azure OpenAI* with `gpt-4.1-2025-04-14`');
    expect(text).toContain(':warning: OpenAI is winding down self-serve fine-tuning');
    expect(text).not.toContain('What to try instead');
  });

  it('lists the alternatives when the answer is no, and offers no provider', () => {
    const message = buildRecommendationMessage(
      input({ ...legal, dataVolume: 'small', specialization: 'low', examples: 100 }),
    );
    expect(checkMessage(message)).toEqual([]);
    const text = allText(message);
    expect(text).toContain('*What to try instead*');
    expect(text).toContain('*Few-shot prompting*');
    expect(text).not.toContain('Where to fine-tune');
  });

  it('escapes what the user typed, so a use case cannot ping the channel', () => {
    const message = buildRecommendationMessage(input({ ...legal, useCase: '<!channel> & <https://evil|click>' }));
    const text = mrkdwnText(message.blocks).join('\n');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    expect(message.text).not.toContain('<!channel>');
  });

  it('heads a DM fallback with the reason it is not in the channel', () => {
    const message = buildRecommendationMessage(input(legal), 'I could not post in <#C1> because I am not a member.');
    expect(message.blocks[0]).toMatchObject({
      type: 'context',
      elements: [{ text: ':information_source: I could not post in <#C1> because I am not a member.' }],
    });
    expect(checkMessage(message)).toEqual([]);
  });

  it('stays within limits at the longest use case name', () => {
    const message = buildRecommendationMessage(
      input({ ...legal, useCase: 'W'.repeat(100), sensitivity: 'regulated', examples: 12 }),
    );
    expect(checkMessage(message)).toEqual([]);
  });
});
