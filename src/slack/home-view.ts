import type { types } from '@slack/bolt';

type HomeView = types.HomeView;
type KnownBlock = types.KnownBlock;

import type { Recommendation } from '../advisor/recommend.ts';
import type { ProviderId } from '../providers/types.ts';
import { formatUsd } from '../reports/numbers.ts';
import type { JobRecord, SpendRow } from '../store/types.ts';
import { PROVIDER_NAMES } from './job-format.ts';
import { jobLine } from './jobs-list.ts';
import { escapeMrkdwn, mrkdwn, plain } from './text.ts';

export interface HomeAdvice {
  createdAt: string;
  /** Where the answer went: a channel, the person's DMs, or nowhere (Slack refused both). */
  postedIn: { channelId: string } | 'dm' | 'not-delivered';
  useCase: string;
  recommendation: Pick<Recommendation, 'headline' | 'confidence' | 'provider'>;
}

/** The jobs part of the Home tab; absent, the tab shows recommendations only (as before jobs existed). */
export interface HomeJobs {
  now: Date;
  /** Jobs still running (or waiting to start), oldest first. */
  active: readonly JobRecord[];
  /** Finished jobs, newest first. */
  recent: readonly JobRecord[];
  /** Month-to-date spend by provider. */
  monthSpend: readonly SpendRow[];
  providerLabels?: Partial<Record<ProviderId, string>>;
  /** The workspace's URL: each job line links to its message. */
  workspaceUrl?: string;
}

const HOME_JOBS_SHOWN = 10;

/** The Home tab's buttons: each opens the modal of the `/finetune` subcommand its value names. */
export const HOME_OPEN_ACTION_ID = 'home_open';
export const HOME_ACTIONS = [
  { value: 'advise', text: 'Should we fine-tune?' },
  { value: 'cost', text: 'Estimate cost' },
  { value: 'validate', text: 'Validate a file' },
  { value: 'start', text: 'Start a job' },
] as const;

/** The App Home tab: what the bot does, the team's jobs and spend when given, and the person's latest recommendations. */
export function buildHomeView(recent: readonly HomeAdvice[], jobs?: HomeJobs): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('finetune-bot') },
    {
      type: 'section',
      text: mrkdwn(
        'I help your team decide whether to fine-tune an LLM and where: run `/finetune advise` in a channel, ' +
          'answer ten questions, and I post a reasoned recommendation there.',
      ),
    },
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: HOME_ACTIONS.map((a, i) => ({
        type: 'button' as const,
        // One action id per button: Slack wants them unique within a block.
        action_id: `${HOME_OPEN_ACTION_ID}_${a.value}`,
        text: plain(a.text, 75),
        value: a.value,
        ...(i === 0 ? { style: 'primary' as const } : {}),
      })),
    },
    ...(jobs ? jobBlocks(jobs) : []),
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
        `${advice.recommendation.headline} — *${escapeMrkdwn(advice.useCase)}*\n` +
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

function jobBlocks(jobs: HomeJobs): KnownBlock[] {
  const line = (job: JobRecord): KnownBlock => ({ type: 'section', text: mrkdwn(jobLine(job, jobs)) });
  const blocks: KnownBlock[] = [{ type: 'divider' }, { type: 'header', text: plain('Active jobs') }];
  if (jobs.active.length === 0) {
    blocks.push({ type: 'section', text: mrkdwn('Nothing running. Start a job with `/finetune start` in a channel.') });
  }
  blocks.push(...jobs.active.slice(0, HOME_JOBS_SHOWN).map(line));
  if (jobs.active.length > HOME_JOBS_SHOWN) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(`…and ${jobs.active.length - HOME_JOBS_SHOWN} more; \`/finetune jobs\` in a channel lists them.`),
      ],
    });
  }
  blocks.push({ type: 'header', text: plain('Recent jobs') });
  if (jobs.recent.length === 0) blocks.push({ type: 'section', text: mrkdwn('No finished jobs yet.') });
  blocks.push(...jobs.recent.slice(0, HOME_JOBS_SHOWN).map(line));

  const name = (p: ProviderId) => escapeMrkdwn(jobs.providerLabels?.[p] ?? PROVIDER_NAMES[p]);
  const total = jobs.monthSpend.reduce((sum, r) => sum + r.usd, 0);
  const rows = [...jobs.monthSpend]
    .sort((a, b) => b.usd - a.usd)
    .map((r) => `• *${name(r.provider)}*: ${formatUsd(r.usd)} · ${r.jobs} job${r.jobs === 1 ? '' : 's'}`);
  blocks.push(
    { type: 'header', text: plain('Spend this month') },
    {
      type: 'section',
      text: mrkdwn(
        rows.length === 0
          ? 'Nothing spent on fine-tuning this month.'
          : `*${formatUsd(total)}* so far\n${rows.join('\n')}`,
      ),
    },
  );
  return blocks;
}
