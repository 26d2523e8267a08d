import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
type MrkdwnElement = types.MrkdwnElement;

import { formatBytes, formatDuration, formatHours } from './job-format.ts';
import { bullets, escapeMrkdwn, mrkdwn, truncate } from './text.ts';

/**
 * The review step's part for a LoRA job on GPU hosts: where the estimate was priced, and the host's
 * pre-flight (GPU, free memory, free disk against what the job needs, packages) with each problem in
 * plain words and what to do about it. Pure; job-review-view.ts places it.
 */

/** The host's readiness as the review shows it (from PreflightReport, src/jobs/review.ts `preflightFacts`). */
export interface PreflightFacts {
  ok: boolean;
  /** The host it ran on; '' when it could not run and no host was named. */
  host: string;
  gpuName?: string;
  gpuMemoryBytes?: number;
  freeGpuMemoryBytes?: number;
  freeDiskBytes?: number;
  neededDiskBytes?: number;
  packages?: Array<{ name: string; version: string | null; ok: boolean }>;
  /** How busy the host is: a job beyond `maxJobs` running waits in its queue. */
  load?: { running: number; queued: number; maxJobs: number };
  problems: Array<{ reason: string; message: string; hint?: string }>;
}

export interface GpuReviewFacts {
  /** Where the estimate was priced. */
  host?: {
    name: string;
    gpuType: string;
    gpuCount: number;
    gpuName: string;
    hourlyUsd: number;
    picked: 'asked' | 'preflight' | 'cheapest';
  };
  wallHours?: number;
  gpuHours?: number;
  /** Worth knowing, not in the way. */
  warnings: string[];
  /** In the way of a start, besides the file's errors and the pre-flight. */
  blockers: string[];
  /** Absent: the provider checks nothing before a start. */
  preflight?: PreflightFacts;
}

/** "≈ 2 h 6 min on `h100-1`: 1× NVIDIA H100 80GB SXM at $3.00 per GPU-hour · 2.1 GPU-hours". */
export function gpuEstimateLine(gpu: GpuReviewFacts): string | undefined {
  const h = gpu.host;
  if (!h || gpu.wallHours === undefined || gpu.gpuHours === undefined) return undefined;
  const auto = h.picked === 'asked' ? '' : ' (auto)';
  return (
    `≈ ${formatDuration(gpu.wallHours * 3_600_000)} on \`${escapeMrkdwn(h.name)}\`${auto}: ${h.gpuCount}× ${escapeMrkdwn(h.gpuName)} ` +
    `at $${h.hourlyUsd.toFixed(2)} per GPU-hour · ${formatHours(gpu.gpuHours)} GPU-hours`
  );
}

function packagesText(packages: NonNullable<PreflightFacts['packages']>): string {
  return packages
    .slice(0, 12)
    .map((p) => `${p.ok ? '✓' : '✗'} ${escapeMrkdwn(p.name)} ${p.version ? escapeMrkdwn(p.version) : 'missing'}`)
    .join('\n');
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

function preflightFields(p: PreflightFacts): MrkdwnElement[] {
  const fields: MrkdwnElement[] = [];
  if (p.gpuName) fields.push(mrkdwn(`*GPU*\n${escapeMrkdwn(p.gpuName)}`, 2000));
  if (p.freeGpuMemoryBytes !== undefined) {
    const of = p.gpuMemoryBytes !== undefined ? ` of ${formatBytes(p.gpuMemoryBytes)}` : '';
    fields.push(mrkdwn(`*GPU memory free*\n${formatBytes(p.freeGpuMemoryBytes)}${of}`, 2000));
  }
  if (p.freeDiskBytes !== undefined) {
    const needed = p.neededDiskBytes !== undefined ? ` · ${formatBytes(p.neededDiskBytes)} needed` : '';
    const short = p.neededDiskBytes !== undefined && p.freeDiskBytes < p.neededDiskBytes ? ' :x:' : '';
    fields.push(mrkdwn(`*Disk free*\n${formatBytes(p.freeDiskBytes)}${needed}${short}`, 2000));
  }
  if (p.packages && p.packages.length > 0) fields.push(mrkdwn(`*Packages*\n${packagesText(p.packages)}`, 2000));
  if (p.load) {
    const { running, queued, maxJobs } = p.load;
    const waits = running >= maxJobs || queued > 0;
    fields.push(
      mrkdwn(
        `*Jobs on the host*\n${running} of ${maxJobs} slot${maxJobs === 1 ? '' : 's'} busy · ${queued} waiting` +
          (waits ? `\nThis job will wait its turn (${queued + 1}${ordinal(queued + 1)} in the queue).` : ''),
        2000,
      ),
    );
  }
  return fields;
}

/** The pre-flight: ready, or each problem with its hint; the figures it found either way. */
export function preflightBlocks(p: PreflightFacts): KnownBlock[] {
  const where = p.host ? ` on \`${escapeMrkdwn(p.host)}\`` : '';
  const head = p.ok
    ? `:white_check_mark: *Pre-flight${where}: ready.* The GPU, its memory, the disk and the packages check out.`
    : `:x: *Pre-flight${where} failed*, so nothing will start there:\n` +
      bullets(
        p.problems.map((x) => `${escapeMrkdwn(x.message)}${x.hint ? `\n      :bulb: ${escapeMrkdwn(x.hint)}` : ''}`),
      );
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(truncate(head, 3000)) }];
  const fields = preflightFields(p);
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  return blocks;
}

/** Warnings and what stands in the way (besides the file's errors and the pre-flight). */
export function gpuNoteBlocks(gpu: GpuReviewFacts): KnownBlock[] {
  const lines = [
    ...gpu.blockers.map((b) => `:x: ${escapeMrkdwn(b)}`),
    ...gpu.warnings.map((w) => `:warning: ${escapeMrkdwn(w)}`),
  ];
  return lines.length > 0 ? [{ type: 'section', text: mrkdwn(truncate(lines.join('\n'), 3000)) }] : [];
}
