import type { LoraSettings, ProviderId } from '../providers/types.ts';
import { formatCount, formatUsd } from '../reports/numbers.ts';
import type { JobPhase, JobRecord } from '../store/types.ts';
import { escapeMrkdwn } from './text.ts';

/** Small formatters shared by the job builders: phases, progress, times, money. Pure; `now` is always passed in. */

export const PHASE_EMOJI: Record<JobPhase, string> = {
  awaiting_approval: ':raised_hand:',
  rejected: ':no_entry_sign:',
  starting: ':rocket:',
  validating: ':mag:',
  queued: ':hourglass_flowing_sand:',
  running: ':runner:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':octagonal_sign:',
};

export const PHASE_WORDS: Record<JobPhase, string> = {
  awaiting_approval: 'Waiting for approval',
  rejected: 'Rejected',
  starting: 'Starting',
  validating: 'Validating the files',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const PROVIDER_NAMES: Record<ProviderId, string> = {
  openai: 'OpenAI',
  azure: 'Azure OpenAI',
  gpu: 'GPU host',
  k8s: 'GPU cluster',
  together: 'Together AI',
  fireworks: 'Fireworks AI',
};

/** Whole percent done, from the steps or, where the provider counts no steps, its own percentage. */
export function progressPercent(p: { step?: number; totalSteps?: number; percent?: number }): number | undefined {
  const bySteps = percentDone(p.step, p.totalSteps);
  if (bySteps !== undefined || p.percent === undefined || !Number.isFinite(p.percent)) return bySteps;
  return Math.max(0, Math.min(100, Math.floor(p.percent)));
}

/** Whole percent done, or undefined when the provider has not said how many steps there are. */
export function percentDone(step: number | undefined, total: number | undefined): number | undefined {
  if (step === undefined || total === undefined || !(total > 0)) return undefined;
  return Math.max(0, Math.min(100, Math.floor((step / total) * 100)));
}

/** `▰▰▰▰▱▱▱▱▱▱ 48%`: plain Unicode, so mrkdwn leaves it alone. */
export function progressBar(percent: number, width = 10): string {
  const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${percent}%`;
}

export function formatLoss(loss: number | undefined): string {
  return loss === undefined || !Number.isFinite(loss) ? '—' : loss.toFixed(4);
}

/** `1 h 12 min`, `45 min`, `30 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

/** `in 12 min`, or `any moment now` once the time is past. */
export function relativeIn(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  if (ms < 60_000) return 'any moment now';
  return `in ${formatDuration(ms)}`;
}

/**
 * A Slack date token: each reader sees it in their own time zone. The fallback (UTC) is what
 * clients that cannot render tokens, and notifications, show.
 */
export function slackDate(iso: string, format: 'time' | 'datetime' | 'date' = 'datetime'): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return escapeMrkdwn(iso);
  const unix = Math.floor(ms / 1000);
  const d = new Date(ms).toISOString();
  const fallback =
    format === 'time'
      ? `${d.slice(11, 16)} UTC`
      : format === 'date'
        ? d.slice(0, 10)
        : `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
  const tokens = format === 'time' ? '{time}' : format === 'date' ? '{date_short}' : '{date_short} {time}';
  return `<!date^${unix}^${tokens}|${fallback}>`;
}

/** A signed difference of money: `$0.13 under`, `$2.40 over`, `exactly`. */
export function usdDifference(actual: number, estimate: number): string {
  const diff = Math.round((actual - estimate) * 100) / 100;
  if (diff === 0) return 'on the estimate';
  return `${formatUsd(Math.abs(diff))} ${diff < 0 ? 'under' : 'over'}`;
}

/** "$0.50 under the $6.30 estimate", "on the $6.30 estimate". */
export function againstEstimate(actual: number, estimate: number): string {
  const diff = usdDifference(actual, estimate);
  return diff === 'on the estimate'
    ? `on the ${formatUsd(estimate)} estimate`
    : `${diff} the ${formatUsd(estimate)} estimate`;
}

/** The model a job tunes, with its suffix: `gpt-4.1-mini-2025-04-14 (support-bot)`; escaped for mrkdwn. */
export function jobModelText(job: Pick<JobRecord, 'request'>): string {
  const suffix = job.request.suffix ? ` (${job.request.suffix})` : '';
  return escapeMrkdwn(`${job.request.model}${suffix}`);
}

/** `<@U1>` for a Slack user id; anything else is escaped so it cannot ping or link. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** "<@A>, <@B> or <@C>". */
export function mentionList(userIds: readonly string[], conjunction = 'or'): string {
  const names = userIds.map(mention);
  if (names.length <= 1) return names[0] ?? 'an approver';
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}

/** `18.2 GiB`, `640 MiB`: binary units, as nvidia-smi and df count. */
export function formatBytes(bytes: number): string {
  if (!(bytes >= 0)) return '—';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** `0.42`, `3.1`, `12`: GPU-hours as people read them. */
export function formatHours(hours: number): string {
  if (!(hours >= 0)) return '—';
  if (hours > 0 && hours < 0.005) return '< 0.01';
  return hours >= 10 ? String(Math.round(hours)) : hours >= 0.1 ? hours.toFixed(1) : hours.toFixed(2);
}

/** `LoRA · r 16 · alpha 32 · dropout 0.05 · all linear layers · 3 epochs · LR 0.0002 · batch 4 × 4 · max length 2,048 · packing off`. */
export function loraWords(lora: LoraSettings): string {
  return [
    lora.method === 'qlora' ? 'QLoRA' : 'LoRA',
    `r ${lora.r}`,
    `alpha ${lora.alpha}`,
    `dropout ${lora.dropout}`,
    lora.targetModules === 'attention' ? 'attention only' : 'all linear layers',
    `${lora.epochs} epoch${lora.epochs === 1 ? '' : 's'}`,
    `LR ${lora.learningRate}`,
    `batch ${lora.batchSize} × ${lora.gradientAccumulation}`,
    `max length ${formatCount(lora.maxLength)}`,
    `packing ${lora.packing ? 'on' : 'off'}`,
  ].join(' · ');
}

/** Azure's training tiers by the names people know them by (Azure's own words), not the API's. */
const TIER_NAMES: Record<string, string> = {
  globalstandard: 'Global Standard',
  standard: 'Standard',
  developer: 'Developer',
};

export function tierName(tier: string): string {
  return TIER_NAMES[tier] ?? tier;
}
