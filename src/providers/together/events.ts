import type { JsonClient } from '../http/json-client.ts';
import type { Checkpoint, Cursor, EventPage, JobEvent, StepMetrics } from '../types.ts';
import type { WireCheckpoint, WireEvent, WireMetrics } from './wire.ts';

/**
 * Together gives a job's events as one list (no paging, no `after`) and its losses as a separate
 * metrics list. The cursor remembers how far each was read — `t1:<events seen>:<last step>:<hash>`
 * — so each poll hands the monitor only what is new. A list that got shorter (Together rewrote it)
 * is found by the hash of the last event seen, else read again from the start.
 */

interface Position {
  events: number;
  step: number;
  hash: string;
}

export function parseCursor(cursor: Cursor | undefined): Position {
  const match = /^t1:(\d+):(-?\d+):(.*)$/.exec(cursor ?? '');
  if (!match) return { events: 0, step: -1, hash: '' };
  return { events: Number(match[1]), step: Number(match[2]), hash: match[3] ?? '' };
}

export function formatCursor(p: Position): string {
  return `t1:${p.events}:${p.step}:${p.hash}`;
}

export async function readEvents(client: JsonClient, jobId: string, since: Cursor | undefined): Promise<EventPage> {
  const at = parseCursor(since);
  const id = encodeURIComponent(jobId);
  const [list, metrics] = await Promise.all([
    client.request<{ data?: WireEvent[] }>({ method: 'GET', path: `/fine-tunes/${id}/events` }),
    client.request<{ metrics?: WireMetrics[] }>({ method: 'GET', path: `/fine-tunes/${id}/metrics` }).catch(() => ({
      // Metrics are extras: a job whose metrics cannot be read still reports its state and events.
      metrics: [] as WireMetrics[],
    })),
  ]);
  const all = list.data ?? [];
  let start = at.events <= all.length ? at.events : 0;
  if (at.hash && all[start - 1]?.hash !== at.hash) {
    const found = all.findIndex((e) => e.hash === at.hash);
    start = found >= 0 ? found + 1 : 0;
  }
  const fresh = all.slice(start);
  const totalSteps = [...all]
    .reverse()
    .find((e) => typeof e.total_steps === 'number' && e.total_steps > 0)?.total_steps;
  const events: JobEvent[] = fresh.map((e, i) => toEvent(e, start + i));
  let step = at.step;
  for (const row of metrics.metrics ?? []) {
    const m = toMetrics(row, totalSteps);
    if (!m || m.step <= step) continue;
    step = m.step;
    events.push({
      id: `metrics-${m.step}`,
      at: new Date().toISOString(),
      level: 'info',
      message: `Step ${m.step}${m.trainLoss !== undefined ? `: training loss ${m.trainLoss}` : ''}`,
      metrics: m,
    });
  }
  const last = all[all.length - 1];
  return { events, cursor: formatCursor({ events: all.length, step, hash: last?.hash ?? '' }) };
}

function toEvent(e: WireEvent, index: number): JobEvent {
  const word = (e.level ?? '').toLowerCase();
  const level: JobEvent['level'] =
    e.type === 'job_error' || word.includes('error')
      ? 'error'
      : e.type === 'warning' || e.type === 'billing_limit' || word.includes('warn')
        ? 'warning'
        : 'info';
  let message = e.message?.trim() || (e.type ?? 'event').replace(/_/g, ' ');
  // The message then names a checkpoint, which makes the monitor list them in the thread.
  if (e.type === 'checkpoint_save' && !/checkpoint/i.test(message)) message = `Checkpoint saved: ${message}`;
  return {
    id: e.hash || `event-${index}`,
    at: e.created_at ?? new Date(0).toISOString(),
    level,
    message,
  };
}

function toMetrics(row: WireMetrics, totalSteps: number | undefined): StepMetrics | undefined {
  const step = finite(row['train/global_step'] ?? row['eval/global_step'] ?? row.step);
  if (step === undefined) return undefined;
  const out: StepMetrics = { step };
  if (totalSteps !== undefined) out.totalSteps = totalSteps;
  const train = finite(row['train/loss']);
  const valid = finite(row['eval/loss'] ?? row['validation/loss']);
  if (train !== undefined) out.trainLoss = train;
  if (valid !== undefined) out.validLoss = valid;
  return out;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The checkpoints Together kept (intermediate ones, as `n_checkpoints` asked, and the final), by step. */
export async function readCheckpoints(client: JsonClient, jobId: string, outputModel?: string): Promise<Checkpoint[]> {
  const page = await client.request<{ data?: WireCheckpoint[] }>({
    method: 'GET',
    path: `/fine-tunes/${encodeURIComponent(jobId)}/checkpoints`,
  });
  return (page.data ?? [])
    .filter((c) => typeof c.step === 'number')
    .map((c) => ({
      id: `${jobId}:${c.step}`,
      // Together names a checkpoint by the job and its step; the final one is the output model.
      model: c.checkpoint_type === 'final' && outputModel ? outputModel : `${jobId}:${c.step}`,
      step: c.step as number,
      at: c.created_at ?? new Date(0).toISOString(),
    }))
    .sort((a, b) => a.step - b.step);
}
