import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

import { markPlaceholder } from '../cost/placeholder.ts';
import { formatUsd } from '../reports/numbers.ts';
import type { JobRecord } from '../store/types.ts';
import { loraWords, mention, slackDate } from './job-format.ts';
import { JOB_APPROVE_ACTION_ID, JOB_REJECT_ACTION_ID } from './job-ids.ts';
import { escapeMrkdwn, mrkdwn, plain, truncate } from './text.ts';

export interface ApprovalContext {
  providerLabel: string;
  /** MAX_JOB_USD. */
  maxJobUsd?: number;
}

function estimateVsLimit(job: JobRecord, ctx: ApprovalContext): string {
  const limit = ctx.maxJobUsd === undefined ? '' : ` (limit ${formatUsd(ctx.maxJobUsd)} per job)`;
  return job.estimateUsd === null
    ? `no estimate${limit}`
    : `${markPlaceholder(formatUsd(job.estimateUsd), job.request.estimatePlaceholder)}${limit}`;
}

/** The MAX_JOB_USD decision was taken on a placeholder estimate: the approver should know. */
function placeholderBlocks(job: JobRecord): KnownBlock[] {
  if (job.estimateUsd === null || job.request.estimatePlaceholder !== true) return [];
  return [
    {
      type: 'context',
      elements: [
        mrkdwn(
          ':warning: This is a placeholder estimate: the training rate is the catalogue’s stand-in, not a published price (no figure for this model and tier has come from Azure’s Retail Prices feed). The job may cost more or less.',
        ),
      ],
    },
  ];
}

function summaryBlocks(job: JobRecord, ctx: ApprovalContext): KnownBlock[] {
  const r = job.request;
  const hp = r.hyperparameters;
  const file = r.trainingFileName ?? r.trainingFileId;
  return [
    {
      type: 'section',
      text: mrkdwn(
        `:raised_hand: ${mention(job.requestedBy)} asks to start fine-tune *${escapeMrkdwn(job.id)}*, ` +
          `which needs an approver because of its cost${job.request.estimatePlaceholder && job.estimateUsd !== null ? ' (a placeholder estimate)' : ''}.`,
      ),
    },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Model*\n\`${escapeMrkdwn(r.model)}\`${r.suffix ? ` · \`${escapeMrkdwn(r.suffix)}\`` : ''}`, 2000),
        mrkdwn(`*Provider*\n${escapeMrkdwn(ctx.providerLabel)}${r.trainingType ? ` · ${r.trainingType}` : ''}`, 2000),
        mrkdwn(`*Estimate*\n${estimateVsLimit(job, ctx)}`, 2000),
        mrkdwn(`*Reports in*\n<#${job.channelId}>`, 2000),
        mrkdwn(
          `*Method*\n${r.lora ? loraWords(r.lora) : `${r.method === 'dpo' ? 'DPO' : 'Supervised'} · epochs ${hp.nEpochs} · batch ${hp.batchSize}`}`,
          2000,
        ),
        ...(file ? [mrkdwn(`*Training file*\n${escapeMrkdwn(file)}`, 2000)] : []),
      ],
    },
    ...placeholderBlocks(job),
  ];
}

/** Sent to the approvers: who asked, what, the estimate against the limit, and Approve / Reject. */
export function jobApprovalMessage(job: JobRecord, ctx: ApprovalContext): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    ...summaryBlocks(job, ctx),
    {
      type: 'actions',
      block_id: `job_approval_${job.id}`,
      elements: [
        {
          type: 'button',
          action_id: JOB_APPROVE_ACTION_ID,
          text: plain('Approve', 75),
          style: 'primary',
          value: job.id,
        },
        {
          type: 'button',
          action_id: JOB_REJECT_ACTION_ID,
          text: plain('Reject', 75),
          style: 'danger',
          value: job.id,
          confirm: {
            title: plain('Reject this job?', 100),
            text: plain(`The request is closed and the requester is told. Nothing is started or billed.`, 300),
            confirm: plain('Reject', 30),
            deny: plain('Back', 30),
            style: 'danger',
          },
        },
      ],
    },
  ];
  const text = `${mention(job.requestedBy)} asks you to approve fine-tune ${job.id} (${escapeMrkdwn(job.request.model)}, ${estimateVsLimit(job, ctx)})`;
  return { text: truncate(text, 3000), blocks };
}

/** The same message once decided: the buttons give way to who decided and when. */
export function jobApprovalDecidedMessage(
  job: JobRecord,
  ctx: ApprovalContext,
): { text: string; blocks: KnownBlock[] } {
  const a = job.approval;
  const verdict = !a
    ? job.phase === 'cancelled'
      ? ':octagonal_sign: The requester withdrew it.'
      : 'No longer waiting for approval.'
    : a.decision === 'approved'
      ? `:white_check_mark: Approved by ${mention(a.by)} ${slackDate(a.at)}. The job is starting.`
      : `:no_entry_sign: Rejected by ${mention(a.by)} ${slackDate(a.at)}. Nothing was started.`;
  const text = !a
    ? `Fine-tune ${job.id} is no longer waiting for approval`
    : `Fine-tune ${job.id} was ${a.decision} by ${mention(a.by)}`;
  return { text, blocks: [...summaryBlocks(job, ctx), { type: 'context', elements: [mrkdwn(verdict)] }] };
}
