import type { types } from '@slack/bolt';
import { gpuTimeUsd } from '../cost/gpu.ts';

type MrkdwnElement = types.MrkdwnElement;

import type { Catalogue } from '../cost/catalogue.ts';
import type { ProviderCapabilities } from '../providers/types.ts';
import { formatCount, formatUsd } from '../reports/numbers.ts';
import type { JobProgress, JobRecord } from '../store/types.ts';
import { type JobHostChoice, KNOWN_CAPABILITIES } from './job-choice.ts';
import { againstEstimate, formatBytes, formatHours, usdDifference } from './job-format.ts';
import { escapeMrkdwn, mrkdwn } from './text.ts';

/**
 * The figures of a LoRA job on a GPU host, for the job message and its thread: throughput, GPU
 * memory, the host, GPU-hours, and cost = measured GPU-seconds × the hourly rate of the host's GPU
 * type (the price catalogue's). Pure. A job is one of these when its request carries LoRA settings:
 * the record says so, whoever renders it.
 */

/** A GPU job's progress: the monitor records the GPU type and count, and the adapter, from the snapshot. */
export type GpuProgress = JobProgress;

/** What the message builders know beyond the record, to price GPU time and choose buttons. */
export interface GpuMessageContext {
  /** The job's provider's capabilities; absent: what that provider is known to offer. */
  capabilities?: ProviderCapabilities;
  /** The price catalogue (PRICES_FILE applied): the rate of the job's GPU type. */
  prices?: Catalogue;
  /** The provider's hosts, for a job whose progress names its host but not its GPU type. */
  hosts?: readonly JobHostChoice[];
}

export function capabilitiesFor(job: Pick<JobRecord, 'provider'>, ctx: GpuMessageContext): ProviderCapabilities {
  return ctx.capabilities ?? KNOWN_CAPABILITIES[job.provider];
}

/** Trained by our LoRA trainer on a GPU host, and priced by GPU time. */
export function isGpuJob(job: Pick<JobRecord, 'request'>): boolean {
  return job.request.lora !== undefined;
}

export function gpuProgress(job: Pick<JobRecord, 'progress'>): GpuProgress {
  return job.progress as GpuProgress;
}

/** The host the job runs on, once known; else the one asked for. */
export function jobHost(job: Pick<JobRecord, 'progress' | 'request'>): string | undefined {
  return job.progress.host ?? job.request.host;
}

/** USD per GPU-hour for the job's GPU type, when the catalogue has it. */
export function gpuHourlyUsd(job: Pick<JobRecord, 'progress' | 'request'>, ctx: GpuMessageContext): number | undefined {
  const host = jobHost(job);
  const type = gpuProgress(job).gpuType ?? ctx.hosts?.find((h) => h.name === host)?.gpuType;
  return type === undefined ? undefined : ctx.prices?.gpus[type]?.hourly_usd;
}

/** GPU-seconds (summed over the job's GPUs) at an hourly rate, to the cent. */
export const gpuUsd = gpuTimeUsd;

/** What the GPU time has cost so far: the record's figure when the monitor set one, else GPU-seconds × rate. */
export function gpuCostSoFar(job: JobRecord, ctx: GpuMessageContext): number | undefined {
  if (job.actualUsd !== null) return job.actualUsd;
  const seconds = job.progress.gpuSeconds;
  const rate = gpuHourlyUsd(job, ctx);
  return seconds === undefined || rate === undefined ? undefined : gpuUsd(seconds, rate);
}

/** The Cost field of a GPU job: so far against the estimate while it runs; actual against it once done. */
export function gpuCostText(job: JobRecord, ctx: GpuMessageContext): string {
  const estimate = job.estimateUsd;
  const est = estimate === null ? '' : `${formatUsd(estimate)} estimated`;
  const hours =
    job.progress.gpuSeconds === undefined ? '' : ` (${formatHours(job.progress.gpuSeconds / 3600)} GPU-hours)`;
  if (job.phase === 'awaiting_approval' || job.phase === 'starting' || job.phase === 'queued') {
    return estimate === null ? 'No estimate: GPU time is priced once it runs.' : `${est} in GPU time`;
  }
  if (job.phase === 'rejected') {
    return estimate === null ? 'Nothing spent.' : `Nothing spent (estimate was ${formatUsd(estimate)}).`;
  }
  const spent = gpuCostSoFar(job, ctx);
  if (spent === undefined) {
    return est === '' ? `GPU time not priced yet${hours}.` : `${est}; GPU time not priced yet${hours}`;
  }
  if (job.phase === 'succeeded') {
    return estimate === null
      ? `${formatUsd(spent)}${hours}`
      : `${formatUsd(spent)}${hours} · estimate ${formatUsd(estimate)} (${usdDifference(spent, estimate)})`;
  }
  if (job.phase === 'failed' || job.phase === 'cancelled') return `${formatUsd(spent)} of GPU time used${hours}`;
  return `${formatUsd(spent)} so far${hours}${est ? ` · ${est}` : ''}`;
}

/** Throughput, GPU memory and the host: the figures a GPU job adds to the message. */
export function gpuFigureFields(job: JobRecord): MrkdwnElement[] {
  const p = gpuProgress(job);
  const fields: MrkdwnElement[] = [];
  if (p.tokensPerSecond !== undefined && Number.isFinite(p.tokensPerSecond)) {
    fields.push(mrkdwn(`*Throughput*\n${formatCount(Math.round(p.tokensPerSecond))} tokens/s`, 2000));
  }
  if (p.gpuMemoryBytes !== undefined) fields.push(mrkdwn(`*GPU memory*\n${formatBytes(p.gpuMemoryBytes)}`, 2000));
  if (job.phase === 'succeeded' && p.gpuSeconds !== undefined) {
    fields.push(mrkdwn(`*GPU-hours*\n${formatHours(p.gpuSeconds / 3600)}`, 2000));
  }
  return fields;
}

/** "`h100-1` (2× H100-80GB)", or how the host is still to be picked. */
export function hostText(job: JobRecord): string {
  const host = jobHost(job);
  const p = gpuProgress(job);
  if (!host) return 'auto: the first free host that fits';
  const gpus = p.gpuType ? ` (${p.gpuCount && p.gpuCount > 1 ? `${p.gpuCount}× ` : ''}${escapeMrkdwn(p.gpuType)})` : '';
  return `\`${escapeMrkdwn(host)}\`${gpus}${job.progress.host ? '' : ' (asked for)'}`;
}

/** Where the adapter is and how large: "`/srv/jobs/ft-1/output/adapter` (64.2 MiB)". */
export function adapterText(job: JobRecord): string | undefined {
  const adapter = gpuProgress(job).adapter;
  const path = adapter?.path ?? job.fineTunedModel ?? undefined;
  if (!path) return undefined;
  const size = typeof adapter?.bytes === 'number' ? ` (${formatBytes(adapter.bytes)})` : '';
  const host = jobHost(job);
  return `\`${escapeMrkdwn(path)}\`${size}${host ? ` on \`${escapeMrkdwn(host)}\`` : ''}`;
}

/** The thread's summary of a finished GPU job: adapter, tokens, GPU-hours, throughput, cost against the estimate. */
export function gpuSummaryText(job: JobRecord, ctx: GpuMessageContext): string {
  const p = gpuProgress(job);
  const parts: string[] = [];
  if (p.trainedTokens !== undefined) parts.push(`${formatCount(p.trainedTokens)} tokens trained`);
  if (p.gpuSeconds !== undefined) parts.push(`${formatHours(p.gpuSeconds / 3600)} GPU-hours`);
  if (p.tokensPerSecond !== undefined && Number.isFinite(p.tokensPerSecond)) {
    parts.push(`${formatCount(Math.round(p.tokensPerSecond))} tokens/s`);
  }
  const spent = gpuCostSoFar(job, ctx);
  const cost =
    spent === undefined
      ? ''
      : ` Cost ${formatUsd(spent)}${job.estimateUsd !== null ? ` (${againstEstimate(spent, job.estimateUsd)})` : ''}.`;
  const adapter = adapterText(job);
  return `${adapter ? `The adapter is ready: ${adapter}.` : 'The job finished.'}${parts.length > 0 ? ` ${parts.join(' · ')}.` : ''}${cost}`;
}
