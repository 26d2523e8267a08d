import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import { formatTokens } from '../advisor/providers.ts';
import type { Answers } from '../advisor/questionnaire.ts';
import { TASK_TYPES } from '../advisor/questionnaire.ts';
import type { Recommendation, Verdict } from '../advisor/recommend.ts';
import { bullets, escapeMrkdwn, mrkdwn, plain } from './text.ts';

export const ESTIMATE_COST_ACTION_ID = 'estimate_cost';
export const START_JOB_ACTION_ID = 'start_job_from_advice';

export interface RecommendationInput {
  id: string;
  userId: string;
  answers: Answers;
  recommendation: Recommendation;
}

const VERDICT_EMOJI: Record<Verdict, string> = {
  fine_tune: ':white_check_mark:',
  not_yet: ':hourglass_flowing_sand:',
  rag_first: ':books:',
  no: ':speech_balloon:',
};

const CONFIDENCE_WORDS = { low: 'low', medium: 'medium', high: 'high' } as const;

function summaryOfAnswers(a: Answers): string {
  return [
    TASK_TYPES[a.taskType],
    `${a.examples.toLocaleString('en-US')} examples (${a.dataVolume} data)`,
    `${a.specialization} specialization`,
    `${a.latency} latency`,
    `${a.sensitivity} data`,
    `${formatTokens(a.monthlyTokens)} tokens/month`,
    `knowledge changes ${a.knowledgeChange}`,
  ].join(' · ');
}

/** The recommendation as a channel message; `note` explains a DM fallback when there is one. */
export function buildRecommendationMessage(
  input: RecommendationInput,
  note?: string,
): { text: string; blocks: KnownBlock[] } {
  const { recommendation: r, answers: a } = input;
  const useCase = escapeMrkdwn(a.useCase);
  const blocks: KnownBlock[] = [];

  if (note) blocks.push({ type: 'context', elements: [mrkdwn(`:information_source: ${note}`)] });
  blocks.push(
    { type: 'header', text: plain(`${r.headline} — ${a.useCase}`, 150) },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `${VERDICT_EMOJI[r.verdict]} Asked by <@${input.userId}> · confidence: *${CONFIDENCE_WORDS[r.confidence]}*`,
        ),
      ],
    },
    { type: 'section', text: mrkdwn(`*Why*\n${bullets(r.reasons)}`) },
  );

  if (r.provider) {
    const title = r.fineTune ? '*Where to fine-tune*' : '*When you fine-tune*';
    blocks.push({
      type: 'section',
      text: mrkdwn(`${title}\n*${r.provider.name}* with \`${r.provider.model}\`\n${bullets(r.provider.why)}`),
    });
  }
  if (r.alternatives.length > 0) {
    const lines = r.alternatives.map((alt) => `*${alt.name}*${alt.tried ? ' _(you tried this)_' : ''}: ${alt.why}`);
    blocks.push({ type: 'section', text: mrkdwn(`*What to try instead*\n${bullets(lines)}`) });
  }
  if (r.otherProviders.length > 0) {
    const lines = r.otherProviders.map((p) => `*${p.name}*: ${p.why}`);
    blocks.push({ type: 'section', text: mrkdwn(`*Other providers*\n${bullets(lines)}`) });
  }
  for (const warning of r.warnings) {
    blocks.push({ type: 'context', elements: [mrkdwn(`:warning: ${warning}`)] });
  }
  blocks.push(
    {
      type: 'actions',
      block_id: 'advice_actions',
      elements: [
        {
          type: 'button',
          action_id: ESTIMATE_COST_ACTION_ID,
          text: plain('Estimate cost', 75),
          value: input.id,
          ...(r.fineTune ? { style: 'primary' as const } : {}),
        },
        ...(r.fineTune
          ? [
              {
                type: 'button' as const,
                action_id: START_JOB_ACTION_ID,
                text: plain('Start a job', 75),
                value: input.id,
              },
            ]
          : []),
      ],
    },
    { type: 'divider' },
    {
      type: 'context',
      elements: [mrkdwn(`${useCase}: ${summaryOfAnswers(a)}`), mrkdwn(`Advice ${input.id.slice(0, 8)}`)],
    },
  );

  const text = `${r.headline} — ${useCase}. ${r.reasons[0] ?? ''}`;
  return { text: text.length > 3000 ? `${text.slice(0, 2999)}…` : text, blocks };
}
