import type { types } from '@slack/bolt';
import { markPlaceholder } from '../cost/placeholder.ts';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

import type { Checkpoint, Completion, JobError, JobEvent } from '../providers/types.ts';
import { formatCount, formatUsd } from '../reports/numbers.ts';
import type { JobPhase, JobRecord } from '../store/types.ts';
import { formatDuration, formatLoss, mention, PHASE_EMOJI, PHASE_WORDS, usdDifference } from './job-format.ts';
import { adapterText, type GpuMessageContext, gpuCostSoFar, gpuSummaryText, isGpuJob } from './job-gpu.ts';
import {
  JOB_DELETE_DEPLOYMENT_ACTION_ID,
  JOB_FIELD_ACTION_ID,
  JOB_TRY_CALLBACK_ID,
  JOB_TRY_PROMPT_BLOCK,
} from './job-ids.ts';
import { AZURE_HOSTING_PER_HOUR, AZURE_IDLE_DELETE_DAYS } from './job-message.ts';
import { readForm } from './payloads.ts';
import { escapeMrkdwn, mrkdwn, plain, truncate } from './text.ts';

/** Short replies in a job message's thread. Each is `{ text }` or `{ text, blocks }`; text alone is mrkdwn. */
export interface ThreadReply {
  text: string;
  blocks?: KnownBlock[];
}

const say = (text: string): ThreadReply => ({ text: truncate(text, 3000) });

export function statusChangedReply(from: JobPhase, to: JobPhase): ThreadReply {
  return say(`${PHASE_EMOJI[to]} ${PHASE_WORDS[from]} → *${PHASE_WORDS[to]}*`);
}

export function checkpointReply(checkpoint: Pick<Checkpoint, 'step' | 'model' | 'metrics'>): ThreadReply {
  const m = checkpoint.metrics;
  const loss =
    m?.trainLoss !== undefined || m?.validLoss !== undefined
      ? ` (train loss ${formatLoss(m?.trainLoss)}, valid loss ${formatLoss(m?.validLoss)})`
      : '';
  return say(
    `:floppy_disk: Checkpoint saved at step ${formatCount(checkpoint.step)}${loss}: \`${escapeMrkdwn(checkpoint.model)}\``,
  );
}

/** A provider event worth a person's eyes: warnings and errors, in the provider's own words. */
export function providerEventReply(event: Pick<JobEvent, 'level' | 'message'>, providerLabel: string): ThreadReply {
  const emoji = event.level === 'error' ? ':x:' : event.level === 'warning' ? ':warning:' : ':information_source:';
  return say(`${emoji} ${escapeMrkdwn(providerLabel)} says: ${escapeMrkdwn(event.message)}`);
}

export function errorReply(error: Pick<JobError, 'message' | 'hint'>): ThreadReply {
  const hint = error.hint ? `\n:bulb: ${escapeMrkdwn(error.hint)}` : '';
  return say(`:x: ${escapeMrkdwn(error.message)}${hint}`);
}

/** No event for a while. `onHost`: the job runs on a GPU host (capabilities `hosts`), where a person looks differently. */
export function stalledReply(minutes: number, providerLabel: string, onHost = false): ThreadReply {
  const look = onHost
    ? 'check the trainer on the host (`nvidia-smi`, and `events.jsonl` in the job’s folder), or press Refresh.'
    : 'check the job in the provider’s console, or press Refresh.';
  return say(
    `:zzz: No news from ${escapeMrkdwn(providerLabel)} for ${formatDuration(minutes * 60_000)} while the job is running. ` +
      `It may just be slow; if this lasts, ${look}`,
  );
}

/**
 * The thread's closing reply: the summary (the message above has the details), the failure, or the
 * cancel. A GPU job's summary has the adapter, GPU-hours, throughput and cost against the estimate;
 * `ctx` prices its GPU time when the record has no cost yet.
 */
export function finishedReply(job: JobRecord, ctx: GpuMessageContext = {}): ThreadReply {
  if (job.phase === 'succeeded' && isGpuJob(job)) {
    return say(`:white_check_mark: ${mention(job.requestedBy)} ${gpuSummaryText(job, ctx)}`);
  }
  if (job.phase === 'cancelled' && isGpuJob(job)) {
    const adapter = adapterText(job);
    const spent = gpuCostSoFar(job, ctx);
    return say(
      `:octagonal_sign: The job was cancelled.${adapter ? ` The adapter trained so far is kept: ${adapter}.` : ' No adapter was saved.'}` +
        `${spent !== undefined ? ` GPU time used: ${formatUsd(spent)}.` : ''}`,
    );
  }
  if (job.phase === 'succeeded') {
    const cost =
      job.actualUsd !== null
        ? ` Cost ${markPlaceholder(formatUsd(job.actualUsd), job.progress.costPlaceholder)}${job.estimateUsd !== null ? ` (${usdDifference(job.actualUsd, job.estimateUsd)} the estimate)` : ''}.`
        : '';
    const tokens =
      job.progress.trainedTokens !== undefined ? ` ${formatCount(job.progress.trainedTokens)} tokens trained.` : '';
    const model = job.fineTunedModel ? `\`${escapeMrkdwn(job.fineTunedModel)}\` is ready.` : 'The job finished.';
    return say(`:white_check_mark: ${mention(job.requestedBy)} ${model}${tokens}${cost}`);
  }
  if (job.phase === 'failed') {
    return errorReply(job.error ?? { message: 'The job failed and the provider gave no reason.' });
  }
  if (job.phase === 'cancelled') return say(':octagonal_sign: The job was cancelled.');
  if (job.phase === 'rejected') return say(':no_entry_sign: The request was rejected; nothing was started.');
  return say(`${PHASE_EMOJI[job.phase]} ${PHASE_WORDS[job.phase]}`);
}

/** Under the loss-curve image, or instead of it when there were no points to draw. */
export function lossCurveCaption(points: number): string {
  return points > 1 ? `Loss over ${formatCount(points)} steps` : 'Too few loss points to draw a curve.';
}

export type DeployResult =
  | { ok: true; jobId: string; deploymentName: string; by: string }
  | { ok: false; jobId: string; error: Pick<JobError, 'message' | 'hint'> };

/** The Delete deployment button's value: the job and the deployment it removes. */
export function deploymentButtonValue(jobId: string, deploymentName: string): string {
  return JSON.stringify({ job: jobId, deployment: deploymentName });
}

export function parseDeploymentButtonValue(
  value: string | undefined,
): { jobId: string; deploymentName: string } | undefined {
  try {
    const v = JSON.parse(value ?? '') as { job?: unknown; deployment?: unknown };
    if (typeof v.job === 'string' && typeof v.deployment === 'string') {
      return { jobId: v.job, deploymentName: v.deployment };
    }
  } catch {}
  return undefined;
}

/** Azure: what was deployed, what it costs while it stands, and a button to remove it. */
export function deployResultReply(result: DeployResult): ThreadReply {
  if (!result.ok) {
    const hint = result.error.hint ? `\n:bulb: ${escapeMrkdwn(result.error.hint)}` : '';
    return say(`:x: I could not deploy the model: ${escapeMrkdwn(result.error.message)}${hint}`);
  }
  const name = escapeMrkdwn(result.deploymentName);
  const text =
    `:rocket: ${mention(result.by)} deployed the model as \`${name}\`. ` +
    `Hosting costs ${AZURE_HOSTING_PER_HOUR}/hour plus tokens while it stands; ` +
    `Azure deletes it after ${AZURE_IDLE_DELETE_DAYS} days without calls (the model is kept).`;
  return {
    text,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: JOB_DELETE_DEPLOYMENT_ACTION_ID,
            text: plain('Delete deployment', 75),
            style: 'danger',
            value: deploymentButtonValue(result.jobId, result.deploymentName).slice(0, 2000),
            confirm: {
              title: plain('Delete the deployment?', 100),
              text: plain(
                `Calls to ${result.deploymentName} stop working and hosting stops being billed. The model is kept.`,
                300,
              ),
              confirm: plain('Delete', 30),
              deny: plain('Keep it', 30),
              style: 'danger',
            },
          },
        ],
      },
    ],
  };
}

export function deploymentDeletedReply(deploymentName: string, by: string): ThreadReply {
  return say(
    `:wastebasket: ${mention(by)} deleted the deployment \`${escapeMrkdwn(deploymentName)}\`; hosting is no longer billed.`,
  );
}

/** The answer to "Try it": the question, and the tuned model's reply, quoted. */
/** Why an answer stops short, as the reply says it (Completion['stop']). */
const STOPPED: Record<NonNullable<Completion['stop']>, string> = {
  length: 'The answer was cut off at the token limit for Try it.',
  filtered: 'The provider’s content filter held the answer back.',
  refused: 'The model declined to answer.',
};

export const TRY_IT_UNAVAILABLE =
  'I could not ask that model: the job, or the provider it ran on, is no longer configured here.';

/** A Try it answer in the job's thread; when the model gave nothing, or stopped short, it says so. */
export function tryItReply(input: {
  by: string;
  model: string;
  prompt: string;
  answer: string;
  stop?: Completion['stop'];
}): ThreadReply {
  const quote = (s: string) =>
    escapeMrkdwn(s)
      .split('\n')
      .map((line) => `>${line}`)
      .join('\n');
  const head = `:speech_balloon: ${mention(input.by)} asked \`${escapeMrkdwn(input.model)}\`:`;
  const text = truncate(`${head}\n${quote(truncate(input.prompt, 500))}`, 3000);
  const why = input.stop ? STOPPED[input.stop] : undefined;
  const answer = input.answer.trim()
    ? truncate(`*Answer*\n${quote(input.answer)}`, 3000)
    : `:warning: *The model did not answer.* ${why ?? 'It returned an empty reply; try rephrasing, or a longer prompt.'}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(text) },
    { type: 'section', text: mrkdwn(answer) },
  ];
  if (why && input.answer.trim()) blocks.push({ type: 'context', elements: [mrkdwn(`:warning: ${why}`)] });
  return { text, blocks };
}

/** The small modal the Try it button opens: one prompt for the tuned model. Metadata carries the job id. */
export function tryItView(job: Pick<JobRecord, 'id' | 'fineTunedModel'>): ModalView {
  return {
    type: 'modal',
    callback_id: JOB_TRY_CALLBACK_ID,
    title: plain('Try the tuned model', 24),
    submit: plain('Ask', 24),
    close: plain('Cancel', 24),
    private_metadata: job.id,
    blocks: [
      {
        type: 'context',
        elements: [
          mrkdwn(
            `The answer is posted in the job’s thread. Model: \`${escapeMrkdwn(job.fineTunedModel ?? 'unknown')}\``,
          ),
        ],
      },
      {
        type: 'input',
        block_id: JOB_TRY_PROMPT_BLOCK,
        label: plain('Your prompt'),
        element: { type: 'plain_text_input', action_id: JOB_FIELD_ACTION_ID, multiline: true, max_length: 2000 },
      },
    ],
  };
}

export function parseTryIt(
  values: unknown,
): { ok: true; prompt: string } | { ok: false; errors: Record<string, string> } {
  const prompt = (readForm(values).get(JOB_TRY_PROMPT_BLOCK, JOB_FIELD_ACTION_ID)?.value ?? '').trim();
  if (prompt === '') return { ok: false, errors: { [JOB_TRY_PROMPT_BLOCK]: 'Write a prompt for the model.' } };
  return { ok: true, prompt };
}
