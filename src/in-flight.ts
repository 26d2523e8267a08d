import type { App } from '@slack/bolt';

/**
 * Counts the Slack events whose listeners are still running, ack included or not, so a shutdown can
 * let them finish: a recommendation that was acked but not yet saved and posted would otherwise be
 * lost without a word to the person who asked for it.
 */
export function trackInFlight(app: App) {
  const running = new Set<Promise<unknown>>();
  app.use(async ({ next }) => {
    // Global middleware: next() resolves when every listener for the event has finished.
    const work = next();
    running.add(work);
    try {
      await work;
    } finally {
      running.delete(work);
    }
  });
  return {
    get count(): number {
      return running.size;
    },
    /** Resolves once the running listeners have settled, or after `ms`; tells which. */
    async drain(ms: number): Promise<'drained' | 'timed-out'> {
      if (running.size === 0) return 'drained';
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timed-out'>((resolve) => {
        timer = setTimeout(() => resolve('timed-out'), ms);
      });
      const settled = Promise.allSettled([...running]).then(() => 'drained' as const);
      const outcome = await Promise.race([settled, timeout]);
      clearTimeout(timer);
      return outcome;
    },
  };
}
