import type { Checkpoint, Cursor, EventPage } from '../types.ts';
import { isSshError } from './errors.ts';
import type { HostOps } from './host-ops.ts';
import { asProvider } from './provider-errors.ts';
import { joinRemote } from './shell.ts';
import type { PoolLogger } from './ssh-pool.ts';
import { readEvents, toJobEvents } from './trainer-events.ts';

/**
 * A job's events from events.jsonl, from the byte offset its cursor holds: only complete lines are
 * taken, and the cursor moves past exactly those, so a read cut off by a dropped connection (or a
 * bot restart) is read again from the same place, and nothing is lost or repeated.
 */

export function offsetOf(cursor: Cursor): number {
  const n = cursor === null ? 0 : Number(cursor);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export async function readEventPage(
  ops: HostOps,
  jobId: string,
  cursor: Cursor,
  maxBytes = 1024 * 1024,
  logger?: PoolLogger,
): Promise<EventPage> {
  return asProvider(async () => {
    const path = joinRemote(await ops.remote.jobDir(jobId), 'events.jsonl');
    let offset = offsetOf(cursor);
    let chunk: Awaited<ReturnType<typeof ops.remote.readFrom>>;
    try {
      chunk = await ops.remote.readFrom(path, offset, maxBytes);
    } catch (error) {
      // No events yet (the job waits in the queue, or is launching).
      if (isSshError(error, 'not_found')) return { events: [], cursor };
      throw error;
    }
    if (chunk.size < offset) {
      // Shorter than what was read already: replaced by hand. Read it again from its start (the
      // monitor's notices are keyed by each event's seq, so nothing is said twice).
      logger?.warn({ host: ops.name, job: jobId, offset, size: chunk.size }, 'events.jsonl shrank; reading it again');
      offset = 0;
      chunk = await ops.remote.readFrom(path, 0, maxBytes);
    }
    const read = readEvents(chunk.bytes, offset);
    // One line longer than a whole read cannot be an event of ours: step over it.
    const next = read.offset === offset && chunk.bytes.length === maxBytes ? chunk.offset : read.offset;
    return { events: toJobEvents(read.events), cursor: String(next) };
  });
}

const CHECKPOINTS = 'grep -F \'"type":"checkpoint"\' "$1" 2>/dev/null | tail -n 200; exit 0';

/** The checkpoints the trainer announced (the files may since have been rotated out: save_total_limit). */
export async function readCheckpoints(ops: HostOps, jobId: string): Promise<Checkpoint[]> {
  return asProvider(async () => {
    const path = joinRemote(await ops.remote.jobDir(jobId), 'events.jsonl');
    const out = await ops.remote.execOk('exec /bin/sh -c', [CHECKPOINTS, 'sh', path]);
    const { events } = readEvents(Buffer.from(out.endsWith('\n') ? out : `${out}\n`), 0);
    const checkpoints: Checkpoint[] = [];
    for (const e of events) {
      if (e.type !== 'checkpoint') continue;
      checkpoints.push({ id: `ckpt-${e.step}`, model: e.path, step: e.step, at: e.time });
    }
    return checkpoints;
  });
}
