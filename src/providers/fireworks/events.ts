import type { Cursor, EventPage, JobEvent, StepMetrics } from '../types.ts';
import type { FireworksContext } from './client.ts';
import { jobError, jobState, stateWord, type WireJob } from './map-job.ts';

/**
 * Fireworks keeps no event list for a supervised job: what there is to tell is the job's state (and
 * a failure's reason) and the metrics file behind `metricsFileSignedUrl`, JSON lines of training
 * metrics. Events are derived from both, and the cursor says what was already told:
 * `fw1|<state word>|<state changes told>|<metric lines read>`. Opaque to callers; a cursor this
 * code cannot read counts as none, so the worst a foreign one costs is the news told again.
 */

interface Seen {
  state: string | null;
  /** How many state changes were told: numbers each one, so a state seen twice has two ids. */
  changes: number;
  lines: number;
}

const PREFIX = 'fw1';

export function parseCursor(cursor: Cursor | undefined): Seen {
  const parts = cursor?.split('|');
  if (parts?.length !== 4 || parts[0] !== PREFIX) return { state: null, changes: 0, lines: 0 };
  const whole = (text: string | undefined) => {
    const n = Number(text);
    return Number.isInteger(n) && n >= 0 ? n : 0;
  };
  return { state: parts[1] || null, changes: whole(parts[2]), lines: whole(parts[3]) };
}

export function formatCursor(seen: Seen): string {
  return `${PREFIX}|${seen.state ?? ''}|${seen.changes}|${seen.lines}`;
}

export interface EventReadOptions {
  /** The metrics file is fetched without our key; a slow storage answer must not hold a poll. */
  metricsTimeoutMs?: number;
  /** Larger metrics files are not read (a step a line: far more steps than any job has). */
  metricsMaxBytes?: number;
}

/** The events since `since` for a job just read, oldest first, and the cursor after them. */
export async function readEvents(
  ctx: FireworksContext,
  job: WireJob,
  since: Cursor | undefined,
  o: EventReadOptions = {},
): Promise<EventPage> {
  const seen = parseCursor(since);
  const events: JobEvent[] = [];
  const now = new Date().toISOString();
  const stateAt = iso(job.updateTime) ?? iso(job.createTime) ?? now;
  const state = job.state ?? 'JOB_STATE_UNSPECIFIED';

  if (since === null || since === undefined) {
    events.push({
      id: 'created',
      at: iso(job.createTime) ?? stateAt,
      level: 'info',
      message: `Fireworks created the job${job.name ? ` ${job.name}` : ''} on ${job.dataset ?? 'the dataset'}.`,
    });
  }

  let lines = seen.lines;
  const terminal = ['succeeded', 'failed', 'cancelled'].includes(jobState(job.state));
  if (job.metricsFileSignedUrl) {
    const text = await fetchMetrics(ctx, job.metricsFileSignedUrl, o);
    if (text !== undefined) {
      const read = metricEvents(text, seen.lines, terminal, stateAt);
      events.push(...read.events);
      lines = read.lines;
    }
  }

  // Only a change of state is news (the job's update time moves with every progress tick).
  let changes = seen.changes;
  if (state !== seen.state) events.push(stateEvent(job, ++changes, stateAt));

  // Oldest first; the sort is stable, so same-time events keep the order above.
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { events, cursor: formatCursor({ state, changes, lines }) };
}

function stateEvent(job: WireJob, change: number, at: string): JobEvent {
  const state = jobState(job.state);
  const id = `state:${change}:${job.state ?? 'JOB_STATE_UNSPECIFIED'}`;
  if (state === 'failed') {
    const error = jobError(job);
    return { id, at, level: 'error', message: `Fireworks: the job ${stateWord(job.state)}: ${error.message}` };
  }
  if (job.state === 'JOB_STATE_PAUSED') {
    return {
      id,
      at,
      level: 'warning',
      message: `Fireworks paused the job${job.status?.message ? `: ${job.status.message}` : ''} (an account suspension or a person in the console); it trains again once resumed.`,
    };
  }
  const outcome = state === 'succeeded' && job.outputModel ? ` The tuned model is ${job.outputModel}.` : '';
  return { id, at, level: 'info', message: `Fireworks: the job is ${stateWord(job.state)}.${outcome}` };
}

/** The file's text, or undefined when it cannot be read now (not written yet, link expired). */
async function fetchMetrics(ctx: FireworksContext, url: string, o: EventReadOptions): Promise<string | undefined> {
  // A signed link that is not https would carry the job's metrics in the clear: not followed.
  if (ctx.requireHttps && !url.startsWith('https://')) return undefined;
  try {
    const res = await ctx.fetch(url, { signal: AbortSignal.timeout(o.metricsTimeoutMs ?? 15_000) });
    if (!res.ok) return undefined;
    const size = Number(res.headers.get('content-length'));
    if (Number.isFinite(size) && size > (o.metricsMaxBytes ?? 32 * 1024 * 1024)) return undefined;
    return await res.text();
  } catch {
    // Metrics are a nicety: the job's state still comes through, and the next read tries again.
    return undefined;
  }
}

/**
 * Metric events from the lines after the first `from`. A last line without its newline may still
 * be being written: it is read only once the job has ended. Lines that are not metrics are skipped
 * (and counted, so they are not read again).
 */
export function metricEvents(
  text: string,
  from: number,
  terminal: boolean,
  fallbackAt: string,
): { events: JobEvent[]; lines: number } {
  const all = text.split('\n');
  const complete = text.endsWith('\n') ? all.slice(0, -1) : terminal ? all : all.slice(0, -1);
  const events: JobEvent[] = [];
  for (let i = from; i < complete.length; i++) {
    const metrics = parseMetricLine(complete[i] ?? '');
    if (!metrics) continue;
    const losses = [
      metrics.m.trainLoss !== undefined ? `training loss=${round(metrics.m.trainLoss)}` : '',
      metrics.m.validLoss !== undefined ? `validation loss=${round(metrics.m.validLoss)}` : '',
    ].filter(Boolean);
    const total = metrics.m.totalSteps !== undefined ? `/${metrics.m.totalSteps}` : '';
    events.push({
      id: `step:${metrics.m.step}:${i}`,
      at: metrics.at ?? fallbackAt,
      level: 'info',
      message: `Step ${metrics.m.step}${total}${losses.length ? `: ${losses.join(', ')}` : ''}`,
      metrics: metrics.m,
    });
  }
  return { events, lines: Math.max(from, complete.length) };
}

type Json = Record<string, unknown>;

/**
 * One line of the metrics file. Its exact keys are not documented; what is seen in the wild is
 * either flat (`{"step": 3, "loss": 1.2}`) or nested (`{"step": 3, "data": {"train/loss": 1.2}}`),
 * so both are read, under the names trainers commonly write.
 */
export function parseMetricLine(line: string): { m: StepMetrics; at?: string } | undefined {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const r = record as Json;
  const data = r.data && typeof r.data === 'object' && !Array.isArray(r.data) ? (r.data as Json) : r;
  const pick = (...keys: string[]) => {
    for (const key of keys) {
      const v = num(data[key]) ?? num(r[key]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const step = pick('step', 'train/step', 'global_step', 'train/global_step');
  if (step === undefined || step < 0) return undefined;
  const m: StepMetrics = { step: Math.trunc(step) };
  const totalSteps = pick('total_steps', 'max_steps', 'totalSteps', 'maxSteps', 'train/total_steps');
  if (totalSteps !== undefined && totalSteps > 0) m.totalSteps = Math.trunc(totalSteps);
  const trainLoss = pick('train/loss', 'train_loss', 'loss', 'training_loss');
  if (trainLoss !== undefined) m.trainLoss = trainLoss;
  const validLoss = pick('eval/loss', 'valid/loss', 'eval_loss', 'valid_loss', 'validation_loss');
  if (validLoss !== undefined) m.validLoss = validLoss;
  if (m.trainLoss === undefined && m.validLoss === undefined) return undefined;
  const at = timeOf(r.timestamp ?? r.time ?? data.timestamp);
  return at ? { m, at } : { m };
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Unix seconds (or milliseconds) or an ISO string → ISO 8601. */
function timeOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return new Date(value > 1e12 ? value : value * 1000).toISOString();
  }
  return typeof value === 'string' ? (iso(value) ?? undefined) : undefined;
}

function iso(time: string | undefined): string | null {
  if (!time) return null;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
