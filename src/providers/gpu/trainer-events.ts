import { z } from 'zod';
import type { JobError, JobEvent, JobState, StepMetrics } from '../types.ts';

/**
 * The bot's side of the trainer's events protocol (trainer/ftbot_trainer/events.py documents it):
 * `events.jsonl` read on from a byte offset, each complete line one event, and `exit_code` written
 * last. Pure: the adapter fetches the bytes over SSH and hands them here.
 */

const num = z.number().nullable().optional();

const base = { seq: z.number().int(), time: z.string() };

const EVENT = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('preparing'), ...base, phase: z.string().nullish(), message: z.string().nullish() }),
  z.looseObject({
    type: z.literal('started'),
    ...base,
    total_steps: num,
    examples: num,
    train_tokens: num,
    truncated: num,
    gpu_name: z.string().nullish(),
  }),
  z.looseObject({
    type: z.literal('step'),
    ...base,
    step: z.number(),
    total_steps: num,
    loss: num,
    learning_rate: num,
    tokens_per_second: num,
    gpu_memory_bytes: num,
    elapsed_s: num,
  }),
  z.looseObject({ type: z.literal('eval'), ...base, step: z.number(), eval_loss: num }),
  z.looseObject({ type: z.literal('checkpoint'), ...base, path: z.string(), step: z.number() }),
  z.looseObject({
    type: z.literal('finished'),
    ...base,
    adapter_path: z.string().nullish(),
    adapter_bytes: num,
    gpu_seconds: num,
  }),
  z.looseObject({
    type: z.literal('error'),
    ...base,
    reason: z.string(),
    message: z.string().nullish(),
    hint: z.string().nullish(),
    adapter_path: z.string().nullish(),
    gpu_seconds: num,
  }),
]);

export type TrainerEvent = z.infer<typeof EVENT>;

/** Exit statuses in `exit_code`, as the trainer writes them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 3 } as const;

/**
 * The complete lines of `chunk`, read from byte `offset` of events.jsonl, as events; the offset to
 * read on from is just past the last newline, so a line still being written is read next time,
 * whole. Lines that do not parse (a hard kill mid-write) and event types we do not know are skipped.
 */
export function readEvents(chunk: Uint8Array, offset: number): { events: TrainerEvent[]; offset: number } {
  const end = chunk.lastIndexOf(0x0a);
  if (end < 0) return { events: [], offset };
  const text = Buffer.from(chunk.buffer, chunk.byteOffset, end).toString('utf8');
  const events: TrainerEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = EVENT.safeParse(raw);
    if (parsed.success) events.push(parsed.data);
  }
  return { events, offset: offset + end + 1 };
}

export const finite = (n: number | null | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) ? n : undefined;

function metricsOf(event: TrainerEvent): StepMetrics | undefined {
  if (event.type === 'step') {
    const totalSteps = finite(event.total_steps);
    const trainLoss = finite(event.loss);
    const tokensPerSecond = finite(event.tokens_per_second);
    const gpuMemoryBytes = finite(event.gpu_memory_bytes);
    return {
      step: event.step,
      ...(totalSteps !== undefined ? { totalSteps } : {}),
      ...(trainLoss !== undefined ? { trainLoss } : {}),
      ...(tokensPerSecond !== undefined ? { tokensPerSecond } : {}),
      ...(gpuMemoryBytes !== undefined ? { gpuMemoryBytes } : {}),
    };
  }
  if (event.type === 'eval') {
    const validLoss = finite(event.eval_loss);
    return { step: event.step, ...(validLoss !== undefined ? { validLoss } : {}) };
  }
  return undefined;
}

function messageOf(event: TrainerEvent): string {
  switch (event.type) {
    case 'preparing':
      return event.message ?? `Preparing (${event.phase ?? 'starting'})`;
    case 'started':
      return `Training started: ${event.total_steps ?? '?'} steps over ${event.examples ?? '?'} examples${event.gpu_name ? ` on ${event.gpu_name}` : ''}`;
    case 'step':
      return `Step ${event.step}/${event.total_steps ?? '?'}: training loss=${finite(event.loss) ?? 'not a number'}`;
    case 'eval':
      return `Step ${event.step}: eval loss=${finite(event.eval_loss) ?? 'not a number'}`;
    case 'checkpoint':
      return `Checkpoint saved at step ${event.step}: ${event.path}`;
    case 'finished':
      return `Training finished; adapter at ${event.adapter_path ?? 'the output folder'}`;
    case 'error':
      return event.message ?? `The trainer stopped (${event.reason})`;
  }
}

/** The events in the contract's words: one JobEvent per trainer event, ids from `seq`. */
export function toJobEvents(events: readonly TrainerEvent[]): JobEvent[] {
  return events.map((event) => {
    const metrics = metricsOf(event);
    const level = event.type === 'error' && event.reason !== 'cancelled' ? 'error' : 'info';
    return {
      id: `seq-${event.seq}`,
      at: event.time,
      level,
      message: messageOf(event),
      ...(metrics ? { metrics } : {}),
    };
  });
}

/** What the job folder says about a job: its newest events (any number), exit_code, the process. */
export interface FolderState {
  /** Recent events, oldest first; the newest one decides the state while the trainer runs. */
  recent: readonly TrainerEvent[];
  /** `exit_code`'s number, or null while there is none. */
  exitCode: number | null;
  /** Whether the trainer's process group is still alive. */
  alive: boolean;
}

const KILLED: JobError = {
  code: 'killed',
  message: 'The trainer stopped without saying why (killed, out of host memory, or the host rebooted).',
  hint: 'Check the host (dmesg for the OOM killer, free memory and disk), then start the job again.',
};

/** The job's state and, when it failed, why: read from its folder. */
export function folderVerdict(folder: FolderState): { state: JobState; error: JobError | null } {
  const last = folder.recent.at(-1);
  const error = [...folder.recent].reverse().find((e) => e.type === 'error');
  if (folder.exitCode !== null) {
    if (folder.exitCode === EXIT.ok) return { state: 'succeeded', error: null };
    if (folder.exitCode === EXIT.cancelled || (error?.type === 'error' && error.reason === 'cancelled')) {
      return { state: 'cancelled', error: null };
    }
    if (error?.type === 'error') {
      return {
        state: 'failed',
        error: {
          code: error.reason,
          message: error.message ?? `The trainer stopped (${error.reason}).`,
          ...(error.hint ? { hint: error.hint } : {}),
        },
      };
    }
    return {
      state: 'failed',
      error: { code: 'unknown', message: `The trainer exited with status ${folder.exitCode}.` },
    };
  }
  if (!folder.alive) return { state: 'failed', error: KILLED };
  // Saving the adapter comes after training: still running, not back to the pre-flight.
  if (!last || (last.type === 'preparing' && last.phase !== 'saving')) return { state: 'validating', error: null };
  return { state: 'running', error: null };
}

/** GPU-seconds the trainer measured, from its last word (finished or error). */
export function gpuSecondsOf(events: readonly TrainerEvent[]): number | null {
  for (const e of [...events].reverse()) {
    if ((e.type === 'finished' || e.type === 'error') && finite(e.gpu_seconds) !== undefined) {
      return finite(e.gpu_seconds) ?? null;
    }
  }
  return null;
}
