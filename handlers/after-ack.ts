/**
 * Awaited right after ack(), before a handler's follow-up work (views.open, store writes, posts).
 *
 * Follow-ups are released one per turn of the event loop, in arrival order. Between two turns Node
 * reads the requests that came in meanwhile and sends their acks, so under a burst the acks no longer
 * queue behind a batch of Web API calls (each costs the process most of a millisecond of CPU). A
 * follow-up still starts within a few milliseconds, well inside a trigger_id's 3 s.
 * `npm run bench:ack` measures the difference.
 */
const waiting: Array<() => void> = [];
let draining = false;

function releaseNext(): void {
  waiting.shift()?.();
  if (waiting.length > 0) setImmediate(releaseNext);
  else draining = false;
}

export function afterAck(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!draining) {
      draining = true;
      setImmediate(releaseNext);
    }
  });
}

/** A trigger_id is good for 3 s after Slack sent it; after that, views.open can only fail. */
export const TRIGGER_LIFETIME_MS = 3_000;

/** Rejects when `work` has not settled within `ms`; the work itself is left to finish or fail. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
