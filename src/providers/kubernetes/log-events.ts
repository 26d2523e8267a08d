import { readEvents, type TrainerEvent } from '../gpu/trainer-events.ts';
import type { Cursor } from '../types.ts';
import type { KubeApi } from './api.ts';

/**
 * The trainer's events from its pod's log: the same JSON lines as events.jsonl, one per line (the
 * bootstrap keeps stderr out of the log while the trainer runs). Lines that are not events (the
 * bootstrap's own words, the stderr tail after a failure) are skipped, as in events.jsonl.
 *
 * The cursor is the seq of the newest event seen (`seq:<n>`): seq goes up by one per event, so a
 * read of the log's newest lines that reaches back to the event after the cursor has all the news,
 * and when more arrived than those lines hold, a window of lines is aimed at the event after it.
 * Nothing depends on the bot's clock agreeing with the node's (no sinceTime), and a restart of the
 * bot, a read cut short by limitBytes or a dropped connection loses no event and repeats none.
 * (The kubelet serves the newest log file only: events rotated out of it on a very long run, past
 * its containerLogMaxSize, are not read again.)
 */

const TAIL_LINES = 200;
/** The log's start read for the `started` event when the tail no longer holds it. */
const HEAD_BYTES = 64 * 1024;
/** The newest lines a page reads first; when they do not reach back to the cursor, a window aimed at it. */
const PROBE_LINES = 100;
const SLACK_LINES = 10;
const MAX_TRIES = 6;

export function parseCursor(cursor: Cursor | undefined): number | null {
  const m = /^seq:(\d{1,12})$/.exec(cursor ?? '');
  return m ? Number(m[1]) : null;
}

export function formatCursor(seq: number): string {
  return `seq:${seq}`;
}

/** The events in a piece of the log; a line cut off at its end (limitBytes) is left for the next read. */
export function eventsOfLog(text: string): TrainerEvent[] {
  return readEvents(Buffer.from(text, 'utf8'), 0).events;
}

const lineCount = (text: string) => (text.match(/\n/g) ?? []).length;

/** Events after the cursor, oldest first (at most about `maxBytes` of log), and the cursor after them. */
export async function readLogPage(
  api: KubeApi,
  pod: string,
  cursor: Cursor | undefined,
  maxBytes: number,
): Promise<{ events: TrainerEvent[]; cursor: number | null }> {
  const after = parseCursor(cursor);
  if (after === null) {
    const events = eventsOfLog(await api.podLog(pod, { limitBytes: maxBytes }));
    return { events, cursor: events.at(-1)?.seq ?? null };
  }
  // Usually the news fits in the newest lines.
  const probe = await api.podLog(pod, { tailLines: PROBE_LINES });
  let events = eventsOfLog(probe);
  const reachesBack = () => (events[0]?.seq ?? Number.POSITIVE_INFINITY) <= after + 1;
  if (!reachesBack() && lineCount(probe) >= PROBE_LINES) {
    // More arrived: a window aimed at the event after the cursor, at the probe's lines per event,
    // widened while it starts too late (lines that are not events, lines added meanwhile). The
    // kubelet serves a window's first maxBytes, so the page starts right after the cursor.
    const perEvent = lineCount(probe) / Math.max(1, events.length);
    const newest = events.at(-1)?.seq ?? after;
    let lines = Math.ceil((newest - after) * perEvent) + SLACK_LINES;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const text = await api.podLog(pod, { tailLines: lines, limitBytes: maxBytes });
      events = eventsOfLog(text);
      const whole = Buffer.byteLength(text) < maxBytes && lineCount(text) < lines;
      if (reachesBack() || whole) break;
      lines += Math.ceil(((events[0]?.seq ?? after + 1) - after - 1) * perEvent) + SLACK_LINES;
    }
  }
  const news = events.filter((e) => e.seq > after);
  return { events: news, cursor: news.at(-1)?.seq ?? after };
}

/**
 * The events a job's state is read from: the log's tail and, while the tail does not reach back to
 * it, the start (for `started`: the model, the steps, the tokens). `head` is the caller's
 * memory of the start: it does not change once written.
 */
export async function readRecent(
  api: KubeApi,
  pod: string,
  head?: readonly TrainerEvent[],
): Promise<{ events: TrainerEvent[]; head: TrainerEvent[] }> {
  const tail = eventsOfLog(await api.podLog(pod, { tailLines: TAIL_LINES }));
  let start = head ? [...head] : [];
  const reachesStart = (tail[0]?.seq ?? 1) <= 1 || tail.some((e) => e.type === 'started');
  if (!reachesStart && !start.some((e) => e.type === 'started')) {
    start = eventsOfLog(await api.podLog(pod, { limitBytes: HEAD_BYTES }));
  }
  const bySeq = new Map<number, TrainerEvent>();
  for (const e of [...start, ...tail]) bySeq.set(e.seq, e);
  const events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const startedAt = events.findIndex((e) => e.type === 'started');
  return { events, head: startedAt >= 0 ? events.slice(0, startedAt + 1) : [] };
}

/** Every event in the log (for the checkpoints list), up to `maxBytes`. */
export async function readAll(api: KubeApi, pod: string, maxBytes: number): Promise<TrainerEvent[]> {
  return eventsOfLog(await api.podLog(pod, { limitBytes: maxBytes }));
}
