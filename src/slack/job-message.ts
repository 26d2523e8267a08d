import type { types } from '@slack/bolt';
import { markPlaceholder } from '../cost/placeholder.ts';
import { tierName } from './job-format.ts';
import { hostedKnobWords } from './job-view-adapter.ts';

type KnownBlock = types.KnownBlock;
type Button = types.Button;
type MrkdwnElement = types.MrkdwnElement;

import { AZURE_HOSTING_USD_PER_HOUR, IDLE_DELETION_DAYS } from '../providers/azure/deploy.ts';
import type { ProviderCapabilities } from '../providers/types.ts';
import { formatCount, formatUsd } from '../reports/numbers.ts';
import type { JobRecord } from '../store/types.ts';
import {
  formatDuration,
  formatLoss,
  jobModelText,
  loraWords,
  mention,
  mentionList,
  PHASE_EMOJI,
  PHASE_WORDS,
  percentDone,
  progressBar,
  progressPercent,
  relativeIn,
  slackDate,
  usdDifference,
} from './job-format.ts';
import {
  adapterText,
  capabilitiesFor,
  type GpuMessageContext,
  gpuCostText,
  gpuFigureFields,
  hostText,
  isGpuJob,
} from './job-gpu.ts';
import {
  JOB_CANCEL_ACTION_ID,
  JOB_DEPLOY_ACTION_ID,
  JOB_REFRESH_ACTION_ID,
  JOB_RETRY_ACTION_ID,
  JOB_TRY_ACTION_ID,
} from './job-ids.ts';
import { escapeMrkdwn, mrkdwn, plain, truncate } from './text.ts';

/**
 * What the message needs beyond the record. `capabilities` (the job's provider's) choose the
 * buttons; `prices` (and `hosts`) price a GPU job's time. Absent, the provider's known capabilities
 * are used and GPU time shows unpriced unless the record has the cost.
 */
export interface JobMessageContext extends GpuMessageContext {
  now: Date;
  /** The provider's display name, e.g. "OpenAI" or "Azure OpenAI (Sweden Central)". */
  providerLabel: string;
  /** Who may approve a job over the limit (APPROVER_USER_IDS); named while the job waits. */
  approvers?: readonly string[];
  /** MAX_JOB_USD, shown next to the estimate while the job waits for approval. */
  maxJobUsd?: number;
}

/** Azure's hourly hosting fee for a Standard/Global deployment, and its idle-deletion rule, from the catalogue. */
export const AZURE_HOSTING_PER_HOUR = `$${AZURE_HOSTING_USD_PER_HOUR.toFixed(2)}`;
export const AZURE_IDLE_DELETE_DAYS = IDLE_DELETION_DAYS;

const ACTIVE = new Set<JobRecord['phase']>(['starting', 'validating', 'queued', 'running']);

/**
 * The one message a job has in its channel, edited in place as the job moves: status, progress,
 * loss, ETA and cost while it runs; a summary when it ends. `text` is the notification fallback.
 */
export function jobMessage(job: JobRecord, ctx: JobMessageContext): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`${PHASE_EMOJI[job.phase]} Fine-tune ${job.id}`, 150) },
    { type: 'section', text: mrkdwn(statusText(job, ctx)) },
    { type: 'section', fields: detailFields(job, ctx) },
  ];
  const figures = figureFields(job, ctx);
  if (figures.length > 0) blocks.push({ type: 'section', fields: figures });
  if (job.phase === 'succeeded') {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(':chart_with_downwards_trend: The loss curve is in the thread below.')],
    });
  }
  const buttons = jobButtons(job, capabilitiesFor(job, ctx));
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `job_actions_${job.id}`, elements: buttons });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `Job \`${escapeMrkdwn(job.id)}\` · asked ${slackDate(job.createdAt)} · updated ${slackDate(ctx.now.toISOString())}`,
      ),
    ],
  });
  return { text: truncate(jobFallbackText(job, ctx), 3000), blocks };
}

/** One line for notifications and lists: "Fine-tune ft-1 (gpt-4.1-mini on OpenAI): running, 48% done, ETA in 12 min". */
export function jobFallbackText(job: JobRecord, ctx: Pick<JobMessageContext, 'now' | 'providerLabel'>): string {
  return `Fine-tune ${job.id} (${jobModelText(job)} on ${escapeMrkdwn(ctx.providerLabel)}): ${shortStatus(job, ctx.now)}`;
}

/** The status in a few words, e.g. for `/finetune jobs`: "running, 48% done, ETA in 12 min". */
export function shortStatus(job: JobRecord, now: Date): string {
  const p = job.progress;
  switch (job.phase) {
    case 'running': {
      const pct = progressPercent(p);
      const eta = p.estimatedFinish ? `, ETA ${relativeIn(new Date(p.estimatedFinish), now)}` : '';
      return pct === undefined ? `running${eta}` : `running, ${pct}% done${eta}`;
    }
    case 'succeeded':
      if (isGpuJob(job)) return 'succeeded: the adapter is ready';
      return job.fineTunedModel ? `succeeded: ${escapeMrkdwn(job.fineTunedModel)} is ready` : 'succeeded';
    case 'failed':
      return `failed: ${escapeMrkdwn(job.error?.message ?? 'the provider gave no reason')}`;
    case 'awaiting_approval':
      return 'waiting for approval';
    case 'rejected':
      return job.approval ? `rejected by ${mention(job.approval.by)}` : 'rejected';
    default:
      return PHASE_WORDS[job.phase].toLowerCase();
  }
}

function statusText(job: JobRecord, ctx: JobMessageContext): string {
  const head = `${PHASE_EMOJI[job.phase]} *${PHASE_WORDS[job.phase]}*`;
  const provider = escapeMrkdwn(ctx.providerLabel);
  switch (job.phase) {
    case 'awaiting_approval': {
      const over =
        job.estimateUsd === null
          ? 'there is no cost estimate for it'
          : `the estimate, ${markPlaceholder(formatUsd(job.estimateUsd), job.request.estimatePlaceholder)}, is over the ${ctx.maxJobUsd === undefined ? '' : `${formatUsd(ctx.maxJobUsd)} `}limit per job`;
      const who = ctx.approvers && ctx.approvers.length > 0 ? mentionList(ctx.approvers) : 'an approver';
      return `${head}: ${over}, so ${who} must approve it before it starts. Nothing is billed until then.`;
    }
    case 'rejected': {
      const by = job.approval ? ` by ${mention(job.approval.by)} ${slackDate(job.approval.at)}` : '';
      return `${head}${by}. Nothing was started or billed.`;
    }
    case 'starting':
      return capabilitiesFor(job, ctx).hosts
        ? `${head}: copying the training file to the host and starting the trainer.`
        : `${head}: uploading the training file and creating the job at ${provider}.`;
    case 'validating':
      return capabilitiesFor(job, ctx).hosts
        ? `${head}: the host runs its pre-flight and loads the base model before training starts.`
        : `${head}: ${provider} checks the training data before it queues the job.`;
    case 'queued': {
      if (!capabilitiesFor(job, ctx).hosts) {
        return `${head} at ${provider}: training starts when capacity frees up. Waiting in the queue is not billed.`;
      }
      const place = /^queued:(\d+)$/.exec(job.providerStatus ?? '')?.[1];
      const where = job.progress.host ? ` on ${escapeMrkdwn(job.progress.host)}` : '';
      return place
        ? `${head}: number ${place} in line for a slot${where}. Waiting costs no GPU time.`
        : `${head}: training starts when a slot on a host frees up. Waiting costs no GPU time.`;
    }
    case 'running': {
      const { step, totalSteps, percent, epoch } = job.progress;
      const pct = percentDone(step, totalSteps);
      if (pct === undefined && percent !== undefined) {
        const reported = progressPercent({ percent }) ?? 0;
        return `${head}: ${reported}% done${epoch !== undefined ? `, epoch ${epoch}` : ''}\n${progressBar(reported)}`;
      }
      if (pct === undefined || step === undefined || totalSteps === undefined) {
        return step === undefined
          ? `${head}: waiting for the first training step.`
          : `${head}: step ${formatCount(step)}.`;
      }
      return `${head}: step ${formatCount(step)} of ${formatCount(totalSteps)}\n${progressBar(pct)}`;
    }
    case 'succeeded': {
      const took =
        job.startedAt && job.finishedAt
          ? ` in ${formatDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}`
          : '';
      if (isGpuJob(job)) {
        const adapter = adapterText(job);
        return `${head}${took}.${adapter ? `\nAdapter: ${adapter}` : '\nThe trainer did not say where it saved the adapter; look in the job folder on the host.'}`;
      }
      const model = job.fineTunedModel
        ? `\nYour model: \`${escapeMrkdwn(job.fineTunedModel)}\``
        : '\nThe provider did not name the tuned model; check its console.';
      return `${head}${took}.${model}`;
    }
    case 'failed': {
      const message = escapeMrkdwn(job.error?.message ?? 'The provider gave no reason.');
      const hint = job.error?.hint ? `\n:bulb: ${escapeMrkdwn(job.error.hint)}` : '';
      return truncate(`${head}: ${message}${hint}`, 3000);
    }
    case 'cancelled':
      return `${head}${cancelledBy(job)}${job.finishedAt ? ` ${slackDate(job.finishedAt)}` : ''}.`;
  }
}

/** lifecycle.cancelJob records "Cancelled by <@U…>." as the error: read the user back rather than escaping the mention. */
function cancelledBy(job: JobRecord): string {
  const match = /^Cancelled by <@([UW][A-Z0-9]+)>\.?$/.exec(job.error?.message ?? '');
  return match?.[1] ? ` by ${mention(match[1])}` : '';
}

function detailFields(job: JobRecord, ctx: JobMessageContext): MrkdwnElement[] {
  const r = job.request;
  const hp = r.hyperparameters;
  const tier = r.trainingType ? ` · ${tierName(r.trainingType)} tier` : '';
  const fields = [
    mrkdwn(`*Model*\n\`${escapeMrkdwn(r.model)}\`${r.suffix ? ` · suffix \`${escapeMrkdwn(r.suffix)}\`` : ''}`, 2000),
    mrkdwn(`*Provider*\n${escapeMrkdwn(ctx.providerLabel)}${tier}`, 2000),
    mrkdwn(`*Requested by*\n${mention(job.requestedBy)}`, 2000),
    mrkdwn(r.lora ? `*Method*\n${loraWords(r.lora)}` : `*Method*\n${hostedKnobWords(r.method, hp)}`, 2000),
  ];
  if (capabilitiesFor(job, ctx).hosts || r.host !== undefined) fields.push(mrkdwn(`*Host*\n${hostText(job)}`, 2000));
  const file = r.trainingFileName ?? r.trainingFileId;
  if (file) fields.push(mrkdwn(`*Training file*\n${escapeMrkdwn(file)}`, 2000));
  if (job.providerJobId) fields.push(mrkdwn(`*Provider job*\n\`${escapeMrkdwn(job.providerJobId)}\``, 2000));
  return fields;
}

/** Loss, ETA, tokens and cost: shown once the provider has the job. */
function figureFields(job: JobRecord, ctx: JobMessageContext): MrkdwnElement[] {
  if (job.phase === 'awaiting_approval' || job.phase === 'rejected' || job.phase === 'starting') {
    return [mrkdwn(`*Cost*\n${costText(job, ctx)}`, 2000)];
  }
  const p = job.progress;
  const fields: MrkdwnElement[] = [];
  const final = job.phase === 'succeeded' ? 'Final t' : 'T';
  if (p.trainLoss !== undefined || p.validLoss !== undefined) {
    fields.push(mrkdwn(`*${final}rain loss*\n${formatLoss(p.trainLoss)}`, 2000));
    fields.push(mrkdwn(`*${final === 'T' ? 'V' : 'Final v'}alid loss*\n${formatLoss(p.validLoss)}`, 2000));
  }
  if (ACTIVE.has(job.phase) && p.estimatedFinish && Number.isFinite(Date.parse(p.estimatedFinish))) {
    const eta = relativeIn(new Date(p.estimatedFinish), ctx.now);
    fields.push(mrkdwn(`*ETA*\n${eta} (${slackDate(p.estimatedFinish, 'time')})`, 2000));
  }
  if (p.trainedTokens !== undefined) fields.push(mrkdwn(`*Tokens trained*\n${formatCount(p.trainedTokens)}`, 2000));
  if (isGpuJob(job)) fields.push(...gpuFigureFields(job));
  fields.push(mrkdwn(`*Cost*\n${costText(job, ctx)}`, 2000));
  return fields;
}

function costText(job: JobRecord, ctx: JobMessageContext): string {
  const estimate = job.estimateUsd;
  if (isGpuJob(job)) return gpuCostText(job, ctx);
  if (job.phase === 'failed') return `${formatUsd(job.actualUsd ?? 0)}: failed jobs are not billed.`;
  if (job.phase === 'rejected')
    return estimate === null ? 'Nothing billed.' : `Nothing billed (estimate was ${formatUsd(estimate)}).`;
  const estimated = (usd: number) => markPlaceholder(formatUsd(usd), job.request.estimatePlaceholder);
  if (job.actualUsd !== null) {
    const actual = markPlaceholder(formatUsd(job.actualUsd), job.progress.costPlaceholder);
    return estimate === null
      ? actual
      : `${actual} · estimate ${estimated(estimate)} (${usdDifference(job.actualUsd, estimate)})`;
  }
  if (estimate === null)
    return job.phase === 'succeeded' || job.phase === 'cancelled' ? 'Not known yet.' : 'No estimate.';
  const pct = progressPercent(job.progress);
  if (job.phase === 'running' && pct !== undefined) {
    return `≈ ${formatUsd((estimate * pct) / 100)} so far · ${estimated(estimate)} estimated`;
  }
  return `${estimated(estimate)} estimated`;
}

/** What Cancel bills, in the confirm dialog: the person must know before pressing it. */
export function cancelBillingNote(job: JobRecord): string {
  if (job.phase === 'awaiting_approval') return 'The request is withdrawn. Nothing has been started or billed.';
  if (isGpuJob(job)) {
    return job.phase === 'running'
      ? 'Training stops at the next step on the GPU host; the adapter trained so far is kept there. GPU time used stays spent.'
      : 'The job is taken off the host before training starts; no GPU time is spent.';
  }
  if (job.phase === 'running') {
    return 'Training stops now. The provider bills the tokens already trained; no model is produced.';
  }
  return 'Training has not started, so nothing is billed.';
}

/** Cancel and Refresh while it runs; once tuned, Try it and Deploy where the provider offers them (capabilities). */
function jobButtons(job: JobRecord, caps: ProviderCapabilities): Button[] {
  const value = job.id;
  if (ACTIVE.has(job.phase) || job.phase === 'awaiting_approval') {
    const buttons: Button[] = [
      {
        type: 'button',
        action_id: JOB_CANCEL_ACTION_ID,
        text: plain(job.phase === 'awaiting_approval' ? 'Withdraw' : 'Cancel', 75),
        style: 'danger',
        value,
        // The two choices never share a word: "Cancel" / "Cancel" leaves a person guessing which stops the job.
        confirm:
          job.phase === 'awaiting_approval'
            ? {
                title: plain('Withdraw this request?', 100),
                text: plain('The approvers are told it was withdrawn; nothing was started, so nothing is billed.', 300),
                confirm: plain('Withdraw it', 30),
                deny: plain('Keep waiting', 30),
                style: 'danger',
              }
            : {
                title: plain('Cancel this job?', 100),
                text: plain(cancelBillingNote(job), 300),
                confirm: plain('Cancel the job', 30),
                deny: plain('Keep it running', 30),
                style: 'danger',
              },
      },
    ];
    if (job.phase !== 'awaiting_approval') {
      buttons.push({ type: 'button', action_id: JOB_REFRESH_ACTION_ID, text: plain('Refresh', 75), value });
    }
    return buttons;
  }
  if (job.phase === 'succeeded' && job.fineTunedModel) {
    const buttons: Button[] = [];
    if (caps.tryIt) {
      buttons.push({
        type: 'button',
        action_id: JOB_TRY_ACTION_ID,
        text: plain('Try it', 75),
        style: 'primary',
        value,
      });
    }
    if (caps.deploy) {
      buttons.push({
        type: 'button',
        action_id: JOB_DEPLOY_ACTION_ID,
        text: plain('Deploy', 75),
        value,
        confirm: {
          title: plain('Deploy this model?', 100),
          text: plain(
            `Hosting costs ${AZURE_HOSTING_PER_HOUR} an hour plus tokens until the deployment is deleted. Azure deletes a deployment after ${AZURE_IDLE_DELETE_DAYS} days without calls.`,
            300,
          ),
          confirm: plain('Deploy', 30),
          deny: plain('Not now', 30),
        },
      });
    }
    return buttons;
  }
  if (job.phase === 'failed') {
    return [{ type: 'button', action_id: JOB_RETRY_ACTION_ID, text: plain('Try again', 75), value }];
  }
  return [];
}
