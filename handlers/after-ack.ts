/**
 * Awaited right after ack(), before a handler's follow-up work (views.open, store writes, posts).
 * Under a burst the event loop first flushes the acks of requests already waiting, so every ack
 * stays fast; the follow-up starts a fraction of a millisecond later, well inside a trigger's 3 s.
 * `npm run bench:ack` measures the difference.
 */
export function afterAck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
