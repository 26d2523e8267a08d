import type { types } from '@slack/bolt';
import { tierName } from './job-format.ts';
import { hostedKnobWords } from './job-view-adapter.ts';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

import { markPlaceholder } from '../cost/placeholder.ts';
import type { ProviderId } from '../providers/types.ts';
import { formatCount, formatUsd } from '../reports/numbers.ts';
import type { JobRequest } from '../store/types.ts';
import { loraWords, mentionList } from './job-format.ts';
import { JOB_REVIEW_CALLBACK_ID } from './job-ids.ts';
import { type GpuReviewFacts, gpuEstimateLine, gpuNoteBlocks, preflightBlocks } from './job-review-gpu.ts';
import { escapeMrkdwn, mrkdwn, plain } from './text.ts';

export type { GpuReviewFacts, PreflightFacts } from './job-review-gpu.ts';

/**
 * The facts the review shows; the same shape src/jobs/review.ts `reviewFacts()` returns (declared
 * here because slack/ does not import jobs/).
 */
export interface JobReviewFacts {
  validation?: {
    examples: number;
    billableTokens: number;
    epochs?: number;
    epochsAuto?: boolean;
    warnings: number;
    errors: number;
    /** Why the file could not be read at all. */
    fatal?: string;
  };
  estimateUsd: number | null;
  /** The estimate rests on a placeholder rate (Azure without a Retail Prices figure): said next to it. */
  estimatePlaceholder?: boolean;
  /** One line on what the estimate rests on, or why there is none. */
  assumptions: string;
  needsApproval: boolean;
  approvers: string[];
  /** False when the file has errors (or, on a GPU host, the pre-flight failed). */
  canStart: boolean;
  /** A LoRA job on GPU hosts: where it was priced, the pre-flight, warnings. */
  gpu?: GpuReviewFacts;
}

export interface JobReviewInput {
  request: JobRequest & { provider: ProviderId; channelId: string };
  providerLabel: string;
  facts: JobReviewFacts;
  /** MAX_JOB_USD, named when the job needs approval. */
  maxJobUsd?: number;
  /** private_metadata: what the handler needs on submit (≤3000 chars). */
  metadata: string;
}

const TITLE = 'Review the job';

/** The request in three lines: model, provider, method, hyper-parameters (or LoRA settings and host); file and channel. */
export function requestSummary(input: Pick<JobReviewInput, 'request' | 'providerLabel'>): string {
  const r = input.request;
  if (r.lora) {
    const host = r.host ? `\`${escapeMrkdwn(r.host)}\`` : 'auto';
    return (
      `*\`${escapeMrkdwn(r.model)}\`* on *${escapeMrkdwn(input.providerLabel)}* · host ${host}\n` +
      `${loraWords(r.lora)}\n` +
      `Training file: ${escapeMrkdwn(r.trainingFileName ?? 'no file')} · reports in <#${r.channelId}>`
    );
  }
  const hp = r.hyperparameters;
  const tier = r.trainingType ? ` (${tierName(r.trainingType)} tier)` : '';
  const file = r.trainingFileName ?? r.trainingFileId ?? 'no file';
  const suffix = r.suffix ? ` · suffix \`${escapeMrkdwn(r.suffix)}\`` : '';
  return (
    `*\`${escapeMrkdwn(r.model)}\`* on *${escapeMrkdwn(input.providerLabel)}*${tier}${suffix}\n` +
    `${hostedKnobWords(r.method, hp)}\n` +
    `Training file: ${escapeMrkdwn(file)}${r.validationFileId ? ` · validation \`${escapeMrkdwn(r.validationFileId)}\`` : ''}` +
    ` · reports in <#${r.channelId}>`
  );
}

function validationText(facts: JobReviewFacts): string {
  const tokens = facts.gpu ? 'tokens to train' : 'billable tokens';
  const v = facts.validation;
  if (!v) return ':information_source: The file is already on the provider, so I did not check it here.';
  if (v.fatal) return `:x: *The file could not be read as training data*: ${escapeMrkdwn(v.fatal)}`;
  if (v.errors > 0) {
    return (
      `:x: *${formatCount(v.errors)} error${v.errors === 1 ? '' : 's'} in the file.* Fix ${v.errors === 1 ? 'it' : 'them'} and ` +
      'run `/finetune start` again; `/finetune validate` lists them by line.'
    );
  }
  const epochs =
    v.epochs === undefined ? '' : ` (${v.epochs} epoch${v.epochs === 1 ? '' : 's'}${v.epochsAuto ? ', auto' : ''})`;
  const warnings =
    v.warnings > 0 ? ` · :warning: ${formatCount(v.warnings)} warning${v.warnings === 1 ? '' : 's'}` : '';
  return `:white_check_mark: *The file is ready*: ${formatCount(v.examples)} examples · ${formatCount(v.billableTokens)} ${tokens}${epochs}${warnings}`;
}

/** The review step: what will run, whether the file is fit, what it costs, and who must approve. */
export function jobReviewView(input: JobReviewInput): ModalView {
  const { facts } = input;
  const fileBad = (facts.validation?.errors ?? 0) > 0 || facts.validation?.fatal !== undefined;
  // canStart says it already; the pre-flight is checked here too, so a view cannot offer Start without it.
  const hostBad = facts.gpu?.preflight?.ok === false || (facts.gpu?.blockers.length ?? 0) > 0;
  const noApprover = facts.needsApproval && facts.approvers.length === 0;
  const canSubmit = facts.canStart && !fileBad && !hostBad && !noApprover;

  const estimate =
    facts.estimateUsd === null
      ? 'no estimate'
      : markPlaceholder(formatUsd(facts.estimateUsd), facts.estimatePlaceholder);
  const gpuLine = facts.gpu ? gpuEstimateLine(facts.gpu) : undefined;
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(requestSummary(input)) },
    { type: 'divider' },
    { type: 'section', text: mrkdwn(validationText(facts)) },
    ...(facts.gpu ? gpuNoteBlocks(facts.gpu) : []),
    { type: 'section', text: mrkdwn(`*Estimated cost: ${estimate}*${gpuLine ? `\n${gpuLine}` : ''}`) },
    { type: 'context', elements: [mrkdwn(escapeMrkdwn(facts.assumptions))] },
  ];
  if (facts.gpu?.preflight) blocks.push({ type: 'divider' }, ...preflightBlocks(facts.gpu.preflight));
  const limit = input.maxJobUsd === undefined ? 'the limit' : `the ${formatUsd(input.maxJobUsd)} limit`;
  // A MAX_JOB_USD decision taken on a placeholder rate says so, whichever way it went.
  const onPlaceholder = facts.estimateUsd !== null && facts.estimatePlaceholder === true;
  if (!facts.needsApproval && onPlaceholder && input.maxJobUsd !== undefined) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `:warning: Under ${limit} per job, but on a placeholder estimate: the real rate is not published here, so the job may cost more.`,
        ),
      ],
    });
  }
  if (facts.needsApproval) {
    const why =
      facts.estimateUsd === null
        ? 'There is no estimate for this job'
        : `This is over ${limit} per job${onPlaceholder ? ' on a placeholder estimate' : ''}`;
    blocks.push({
      type: 'section',
      text: mrkdwn(
        noApprover
          ? `:no_entry: ${why}, and no approvers are set (\`APPROVER_USER_IDS\`), so it cannot start here.`
          : `:raised_hand: ${why}, so it needs approval from ${mentionList(facts.approvers)}. ` +
              'I will ask them and post the job in the channel; it starts once one of them approves.',
      ),
    });
  }
  return {
    type: 'modal',
    callback_id: JOB_REVIEW_CALLBACK_ID,
    title: plain(TITLE, 24),
    close: plain(canSubmit ? 'Cancel' : 'Close', 24),
    ...(canSubmit ? { submit: plain(facts.needsApproval ? 'Ask for approval' : 'Start job', 24) } : {}),
    private_metadata: input.metadata,
    blocks,
  };
}

/** Shown while the file is checked and the estimate worked out; the handler then updates it with jobReviewView. */
export function jobReviewWorkingView(input: Pick<JobReviewInput, 'request' | 'providerLabel' | 'metadata'>): ModalView {
  const file = input.request.trainingFileName ?? 'the training file';
  return {
    type: 'modal',
    callback_id: JOB_REVIEW_CALLBACK_ID,
    title: plain(TITLE, 24),
    close: plain('Cancel', 24),
    private_metadata: input.metadata,
    blocks: [
      { type: 'section', text: mrkdwn(requestSummary(input)) },
      { type: 'divider' },
      {
        type: 'section',
        text: mrkdwn(
          `:hourglass_flowing_sand: Checking ${escapeMrkdwn(file)}: reading every example, counting tokens and working out the cost. ` +
            (input.request.lora
              ? 'The host runs its pre-flight meanwhile (GPU, memory, disk, packages, the base model); that can take a minute.'
              : 'Large files take a few seconds.'),
        ),
      },
    ],
  };
}

/** When the check itself could not run (the download failed, Slack refused the file): say why, offer nothing to submit. */
export function jobReviewFailedView(
  input: Pick<JobReviewInput, 'request' | 'providerLabel' | 'metadata'>,
  reason: string,
): ModalView {
  return {
    ...jobReviewWorkingView(input),
    close: plain('Close', 24),
    blocks: [
      { type: 'section', text: mrkdwn(requestSummary(input)) },
      { type: 'divider' },
      {
        type: 'section',
        text: mrkdwn(
          `:x: I could not check the file: ${escapeMrkdwn(reason)}\nNothing was started. Close this and try \`/finetune start\` again.`,
        ),
      },
    ],
  };
}

/** The job form replaced by one line: why it cannot go on. */
export function jobNoticeView(text: string): ModalView {
  return {
    type: 'modal',
    title: plain(TITLE, 24),
    close: plain('Close', 24),
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  };
}
