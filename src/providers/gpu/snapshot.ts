import type { GpuHost } from '../../config/gpu.ts';
import type { JobSnapshot } from '../types.ts';
import type { FolderRow, HostScan, JobEvents } from './host-scan.ts';
import { formatRef } from './refs.ts';
import { finite, folderVerdict, gpuSecondsOf, type TrainerEvent } from './trainer-events.ts';

/**
 * A job's snapshot from its folder: the folder's markers and exit_code, whether its process lives,
 * and its events (the first ones and the newest). Pure.
 */

type Loose = TrainerEvent & Record<string, unknown>;

const num = (e: TrainerEvent | undefined, key: string): number | undefined =>
  e ? finite((e as Loose)[key] as number | undefined) : undefined;
const str = (e: TrainerEvent | undefined, key: string): string | undefined => {
  const v = e ? (e as Loose)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/** Head and tail, oldest first, each event once (they overlap in a short file). */
export function eventsOf(files: JobEvents | undefined): TrainerEvent[] {
  if (!files) return [];
  const bySeq = new Map<number, TrainerEvent>();
  for (const e of [...files.head, ...files.tail]) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The ordered queue of a host: folders queued and neither launched nor cancelled, oldest first. */
export function queueOf(rows: Iterable<FolderRow>): FolderRow[] {
  return [...rows]
    .filter((r) => !r.launched && !r.cancelled && r.queuedAt !== null)
    .sort((a, b) => (a.queuedAt as string).localeCompare(b.queuedAt as string) || a.id.localeCompare(b.id));
}

/** Jobs holding a slot: launched, not ended, and not known dead. */
export function runningOf(rows: Iterable<FolderRow>): FolderRow[] {
  return [...rows].filter((r) => r.launched && r.exitCode === null && r.alive !== false);
}

function statusWord(events: readonly TrainerEvent[], state: JobSnapshot['state'], code?: string): string {
  if (state === 'succeeded') return 'finished';
  if (state === 'cancelled') return 'cancelled';
  if (state === 'failed') return code === 'killed' ? 'killed' : `failed:${code ?? 'unknown'}`;
  const last = events.at(-1);
  if (!last) return 'launching';
  if (last.type === 'preparing') return last.phase === 'saving' ? 'saving' : 'preparing';
  return 'training';
}

/** When the job should end at the pace of its steps so far (from `started` to the newest step). */
function eta(events: readonly TrainerEvent[]): string | null {
  const started = events.find((e) => e.type === 'started');
  const last = [...events].reverse().find((e) => e.type === 'step');
  if (!started || !last || last.type !== 'step') return null;
  const total = num(last, 'total_steps') ?? num(started, 'total_steps');
  const t0 = Date.parse(started.time);
  const t1 = Date.parse(last.time);
  if (!total || !(last.step > 0) || !(t1 > t0) || last.step > total) return null;
  return new Date(t1 + ((t1 - t0) / last.step) * (total - last.step)).toISOString();
}

/**
 * GPU-seconds: the trainer's own count once it has said its last word; before that, wall time
 * from the moment it took the GPU (its `tokenizing` phase) to its newest event, times the GPUs it
 * uses (events.py: gpu_seconds is wall time × GPUs).
 */
function gpuSeconds(events: readonly TrainerEvent[], gpuCount: number): number | null {
  const final = gpuSecondsOf(events);
  if (final !== null) return final;
  const took = events.find((e) => e.type === 'preparing' && e.phase === 'tokenizing');
  const last = events.at(-1);
  if (!took || !last) return null;
  const seconds = (Date.parse(last.time) - Date.parse(took.time)) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * gpuCount * 1000) / 1000) : null;
}

export interface SnapshotInput {
  host: GpuHost;
  row: FolderRow;
  files?: JobEvents;
  /** 1-based place in the host's queue, for a queued job. */
  position?: number;
  now: Date;
}

export function toSnapshot({ host, row, files, position, now }: SnapshotInput): JobSnapshot {
  const events = eventsOf(files);
  const started = events.find((e) => e.type === 'started');
  const final = [...events].reverse().find((e) => e.type === 'finished' || e.type === 'error');
  const gpuCount = num(started, 'gpu_count') ?? 1;
  let state: JobSnapshot['state'];
  let error: JobSnapshot['error'] = null;
  let providerStatus: string;
  if (!row.launched) {
    state = row.cancelled ? 'cancelled' : row.queuedAt !== null ? 'queued' : 'validating';
    providerStatus = row.cancelled ? 'cancelled' : row.queuedAt !== null ? `queued:${position ?? 1}` : 'preparing';
  } else {
    const verdict = folderVerdict({ recent: events, exitCode: row.exitCode, alive: row.alive ?? true });
    state = verdict.state;
    error = verdict.error;
    providerStatus = statusWord(events, state, error?.code);
  }
  const adapterPath = str(final, 'adapter_path');
  const adapter = adapterPath ? { path: adapterPath, bytes: num(final, 'adapter_bytes') ?? null } : undefined;
  const finishedMetrics = final?.type === 'finished' ? (final as Loose).metrics : undefined;
  const lastStep = [...events].reverse().find((e) => e.type === 'step');
  const tokens =
    final?.type === 'finished'
      ? (finite((finishedMetrics as Record<string, number> | undefined)?.tokens_seen) ?? num(started, 'train_tokens'))
      : num(lastStep, 'tokens_seen');
  const terminal = state === 'succeeded' || state === 'failed' || state === 'cancelled';
  return {
    ref: { provider: 'gpu', id: formatRef(host.name, row.id) },
    state,
    providerStatus,
    model: str(started, 'base_model') ?? '',
    fineTunedModel: adapter?.path ?? null,
    createdAt: row.queuedAt ?? events[0]?.time ?? now.toISOString(),
    finishedAt: terminal ? (final?.time ?? events.at(-1)?.time ?? now.toISOString()) : null,
    estimatedFinish: state === 'running' ? eta(events) : null,
    trainedTokens: tokens ?? null,
    error,
    gpu: { host: host.name, gpuType: host.gpuType, gpuCount, gpuSeconds: gpuSeconds(events, gpuCount) },
    ...(adapter ? { adapter } : {}),
  };
}

/** The snapshots of `ids` from one scan of their host; a job without a folder is left out. */
export function snapshotsOf(
  host: GpuHost,
  scan: HostScan,
  ids: readonly string[],
  now: Date,
): Map<string, JobSnapshot> {
  const queue = queueOf(scan.folders.values());
  const out = new Map<string, JobSnapshot>();
  for (const jobId of ids) {
    const row = scan.folders.get(jobId);
    if (!row) continue;
    const position = queue.findIndex((r) => r.id === jobId) + 1;
    const files = scan.events.get(jobId);
    out.set(jobId, toSnapshot({ host, row, ...(files ? { files } : {}), ...(position > 0 ? { position } : {}), now }));
  }
  return out;
}
