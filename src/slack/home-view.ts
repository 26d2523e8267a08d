import type { types } from '@slack/bolt';

type HomeView = types.HomeView;
type KnownBlock = types.KnownBlock;

import type { Recommendation } from '../advisor/recommend.ts';
import { escapeMrkdwn, mrkdwn, plain } from './text.ts';

export interface HomeAdvice {
  createdAt: string;
  /** Where the answer went: a channel, the person's DMs, or nowhere (Slack refused both). */
  postedIn: { channelId: string } | 'dm' | 'not-delivered';
  useCase: string;
  recommendation: Pick<Recommendation, 'headline' | 'confidence' | 'provider'>;
}

/** The App Home tab: what the bot does, and the person's latest recommendations. */
export function buildHomeView(recent: readonly HomeAdvice[]): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('finetune-bot') },
    {
      type: 'section',
      text: mrkdwn(
        'I help your team decide whether to fine-tune an LLM and where: run `/finetune advise` in a channel, ' +
          'answer ten questions, and I post a reasoned recommendation there.',
      ),
    },
    { type: 'divider' },
    { type: 'header', text: plain('Your recent recommendations') },
  ];
  if (recent.length === 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn('None yet. Try `/finetune advise` in the channel where your team discusses the project.'),
    });
  }
  for (const advice of recent.slice(0, 20)) {
    const provider = advice.recommendation.provider;
    const date = `<!date^${Math.floor(Date.parse(advice.createdAt) / 1000)}^{date_short}|${advice.createdAt.slice(0, 10)}>`;
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*${escapeMrkdwn(advice.useCase)}*: ${advice.recommendation.headline}\n` +
          `${date} ${where(advice.postedIn)} · confidence ${advice.recommendation.confidence}` +
          (provider ? ` · ${provider.name}, \`${provider.model}\`` : ''),
      ),
    });
  }
  return { type: 'home', blocks };
}

function where(postedIn: HomeAdvice['postedIn']): string {
  if (postedIn === 'dm') return 'sent to you privately';
  if (postedIn === 'not-delivered') return 'not delivered';
  return `in <#${postedIn.channelId}>`;
}
