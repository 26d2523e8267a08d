import type { Checkpoint, JobEvent, StepMetrics } from '../types.ts';
import { isoTime } from './map-job.ts';

/** An event as it arrives: `level` is an open string (OpenAI says `warn`, Azure `warning`). */
export interface WireEvent {
  id: string;
  created_at: number;
  level?: string | null;
  message?: string | null;
  type?: string | null;
  data?: unknown;
}

export interface WireCheckpoint {
  id: string;
  created_at: number;
  fine_tuned_model_checkpoint: string;
  step_number: number;
  metrics?: Record<string, unknown> | null;
}

export function eventLevel(level: string | null | undefined): JobEvent['level'] {
  const word = (level ?? '').toLowerCase();
  if (word === 'warn' || word === 'warning') return 'warning';
  if (word === 'error') return 'error';
  return 'info';
}

export function toEvent(e: WireEvent): JobEvent {
  const metrics = e.type === 'metrics' ? toMetrics(e.data) : undefined;
  return {
    id: e.id,
    at: isoTime(e.created_at) ?? new Date(0).toISOString(),
    level: eventLevel(e.level),
    message: e.message ?? '',
    ...(metrics ? { metrics } : {}),
  };
}

const METRIC_KEYS: Array<[string, Exclude<keyof StepMetrics, 'step'>]> = [
  ['total_steps', 'totalSteps'],
  ['train_loss', 'trainLoss'],
  ['valid_loss', 'validLoss'],
  ['train_mean_token_accuracy', 'trainAccuracy'],
  ['valid_mean_token_accuracy', 'validAccuracy'],
  ['full_valid_loss', 'fullValidLoss'],
];

/**
 * The step metrics in a metric event's `data` or a checkpoint's `metrics`. The spec leaves `data`
 * untyped, so only finite numbers are taken: a NaN loss or a missing field is left out rather than
 * drawn on the loss chart.
 */
export function toMetrics(data: unknown, fallbackStep?: number): StepMetrics | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  const step = finite(d.step) ?? fallbackStep;
  if (step === undefined) return undefined;
  const out: StepMetrics = { step };
  for (const [wire, ours] of METRIC_KEYS) {
    const value = finite(d[wire]);
    if (value !== undefined) out[ours] = value;
  }
  return out;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function toCheckpoint(c: WireCheckpoint): Checkpoint {
  const metrics = toMetrics(c.metrics, c.step_number);
  return {
    id: c.id,
    model: c.fine_tuned_model_checkpoint,
    step: c.step_number,
    at: isoTime(c.created_at) ?? new Date(0).toISOString(),
    ...(metrics ? { metrics } : {}),
  };
}
