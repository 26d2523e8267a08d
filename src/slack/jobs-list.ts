import type { types } from '@slack/bolt';
import { markPlaceholder } from '../cost/placeholder.ts';

type KnownBlock = types.KnownBlock;

import type { ProviderId } from '../providers/types.ts';
import { formatUsd } from '../reports/numbers.ts';
import type { JobRecord } from '../store/types.ts';
import { jobModelText, PHASE_EMOJI, PROVIDER_NAMES, slackDate } from './job-format.ts';
import { JOB_DETAILS_ACTION_ID } from './job-ids.ts';
import { type JobMessageContext, jobMessage, shortStatus } from './job-message.ts';
import { escapeMrkdwn, mrkdwn, plain, truncate } from './text.ts';

export const MAX_LISTED_JOBS = 10;

export interface JobsListContext {
  now: Date;
  /** The channel the command ran in; named in the heading and the empty state. */
  channelId?: string;
  /** Display names by provider; PROVIDER_NAMES when absent. */
  providerLabels?: Partial<Record<ProviderId, string>>;
  /** The workspace's URL (auth.test's `url`): each job's id links to its message. */
  workspaceUrl?: string;
}

/** The link to a job's one message, from the workspace URL; undefined until it has one. */
export function jobMessageLink(
  job: Pick<JobRecord, 'channelId' | 'messageTs'>,
  workspaceUrl?: string,
): string | undefined {
  if (!workspaceUrl || !job.messageTs || !/^https:\/\/[^\s|<>]+$/.test(workspaceUrl)) return undefined;
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  return `${base}archives/${encodeURIComponent(job.channelId)}/p${job.messageTs.replace('.', '')}`;
}

/** What a job cost, or is expected to: the actual figure when known, else the estimate marked as one. */
export function jobCostText(
  job: Pick<JobRecord, 'actualUsd' | 'estimateUsd' | 'provider'> & {
    request?: Pick<JobRecord['request'], 'estimatePlaceholder'>;
    progress?: Pick<JobRecord['progress'], 'costPlaceholder'>;
  },
): string {
  if (job.actualUsd !== null) return markPlaceholder(formatUsd(job.actualUsd), job.progress?.costPlaceholder);
  if (job.estimateUsd !== null)
    return `${markPlaceholder(formatUsd(job.estimateUsd), job.request?.estimatePlaceholder)} est.`;
  return job.provider === 'gpu' ? 'own GPU' : 'cost unknown';
}

/** One line per job: for `/finetune jobs` and the Home tab. */
export function jobLine(job: JobRecord, ctx: Pick<JobsListContext, 'now' | 'providerLabels' | 'workspaceUrl'>): string {
  const provider = escapeMrkdwn(ctx.providerLabels?.[job.provider] ?? PROVIDER_NAMES[job.provider]);
  // A job waiting for its approvers (or turned down, or not yet at the provider) has not started:
  // the line says when it was asked for instead.
  const when = job.startedAt ? `started ${slackDate(job.startedAt)}` : `requested ${slackDate(job.createdAt)}`;
  return (
    `${PHASE_EMOJI[job.phase]} ${idText(job, ctx.workspaceUrl)} · \`${jobModelText(job)}\` on ${provider}\n` +
    `${shortStatus(job, ctx.now)} · ${when} · ${jobCostText(job)}`
  );
}

/** `/finetune jobs`: the channel's recent jobs, newest first (ephemeral). */
export function jobsListMessage(
  jobs: readonly JobRecord[],
  ctx: JobsListContext,
): { text: string; blocks: KnownBlock[] } {
  const where = ctx.channelId ? ` in <#${ctx.channelId}>` : '';
  if (jobs.length === 0) {
    const text = `No fine-tune jobs yet${where}. Start one with \`/finetune start\`.`;
    return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const shown = jobs.slice(0, MAX_LISTED_JOBS);
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(`*Recent fine-tunes${where}*`) }];
  for (const job of shown) {
    blocks.push({
      type: 'section',
      text: mrkdwn(truncate(jobLine(job, ctx), 3000)),
      accessory: {
        type: 'button',
        action_id: JOB_DETAILS_ACTION_ID,
        text: plain('Details', 75),
        value: job.id,
      },
    });
  }
  const more = jobs.length > shown.length ? `Showing the ${shown.length} newest. ` : '';
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`${more}\`/finetune status <id>\` shows one job in full.`)],
  });
  const count = `${shown.length} recent fine-tune job${shown.length === 1 ? '' : 's'}${where}`;
  return { text: count, blocks };
}

/** `/finetune status <id>`: the job's own message, as the channel sees it now. */
export function jobStatusMessage(job: JobRecord, ctx: JobMessageContext): { text: string; blocks: KnownBlock[] } {
  return jobMessage(job, ctx);
}

/** `/finetune status <id>` for an id we do not know (or `/finetune status` with none). */
export function noSuchJobMessage(id: string): { text: string } {
  const clean = escapeMrkdwn(id.trim().slice(0, 40)).replace(/`/g, '');
  if (clean === '') return { text: 'Which job? Try `/finetune status ft-abc123`; `/finetune jobs` lists them.' };
  return { text: `I have no job \`${clean}\`. \`/finetune jobs\` lists this channel’s jobs.` };
}

/** The job's id, bold, linked to its message when there is one. */
function idText(job: JobRecord, workspaceUrl: string | undefined): string {
  const link = jobMessageLink(job, workspaceUrl);
  return link ? `*<${link}|${escapeMrkdwn(job.id)}>*` : `*${escapeMrkdwn(job.id)}*`;
}
