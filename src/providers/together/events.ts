import type { JsonClient } from '../http/json-client.ts';
import type { Checkpoint, Cursor, EventPage, JobEvent, StepMetrics } from '../types.ts';
import type { WireCheckpoint, WireEvent, WireMetrics } from './wire.ts';

/**
 * Together gives a job's events as one list (no paging, no `after`) and its losses as a separate,
 * chronological metrics list whose training and evaluation rows come apart. The cursor remembers
 * how far each was read — `t2:<events seen>:<metric rows seen>:<hash>` — so each poll hands the
 * monitor only what is new, an evaluation row that lands after its step's training row included.
 * An event list that changed under us is found by the hash of the last event seen, else read again.
 */

interface Position {
  events: number;
  rows: number;
  hash: string;
}

export function parseCursor(cursor: Cursor | undefined): Position {
  const match = /^t2:(\d+):(\d+):(.*)$/.exec(cursor ?? '');
  if (!match) return { events: 0, rows: 0, hash: '' };
  return { events: Number(match[1]), rows: Number(match[2]), hash: match[3] ?? '' };
}

export function formatCursor(p: Position): string {
  return `t2:${p.events}:${p.rows}:${p.hash}`;
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
  const rows = metrics.metrics ?? [];
  // Rows of one step that arrive together are one event; a later row for a step already told
  // (its evaluation) is an event of its own, which the loss curve merges by step.
  const byStep = new Map<number, StepMetrics>();
  for (const row of rows.slice(at.rows <= rows.length ? at.rows : 0)) {
    const m = toMetrics(row, totalSteps);
    if (m) byStep.set(m.step, { ...byStep.get(m.step), ...m });
  }
  for (const m of [...byStep.values()].sort((a, b) => a.step - b.step)) {
    events.push({
      id: `metrics-${m.step}-${m.trainLoss ?? ''}-${m.validLoss ?? ''}`,
      at: new Date().toISOString(),
      level: 'info',
      message: `Step ${m.step}${m.trainLoss !== undefined ? `: training loss ${m.trainLoss}` : m.validLoss !== undefined ? `: validation loss ${m.validLoss}` : ''}`,
      metrics: m,
    });
  }
  const last = all[all.length - 1];
  return { events, cursor: formatCursor({ events: all.length, rows: rows.length, hash: last?.hash ?? '' }) };
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
