import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.ts';

export interface Schedule {
  name: string;
  cron: string;
  run: () => Promise<unknown>;
}

/**
 * Runs the monitor and the digest on node-cron inside the process. A run that is still busy when
 * the next is due is skipped (noOverlap), never stacked; a failed run is logged and the schedule
 * goes on. stop() waits for a run in progress, so a shutdown never closes the store under it.
 */
export function startSchedules(schedules: Schedule[], logger: Logger): { stop(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  // node-cron would otherwise write its notices (a skipped overlapping run) to the console.
  const cronLogger = {
    info: (message: string) => logger.debug({ cron: true }, message),
    warn: (message: string) => logger.debug({ cron: true }, message),
    error: (message: string | Error, err?: Error) => logger.warn({ err: err ?? message, cron: true }, 'node-cron'),
    debug: (message: string | Error) => logger.debug({ cron: true }, String(message)),
  };
  const tasks: ScheduledTask[] = schedules.map((s) =>
    cron.schedule(
      s.cron,
      async () => {
        const run = s.run().catch((error) => logger.warn({ err: error, schedule: s.name }, 'a scheduled run failed'));
        running.add(run);
        try {
          await run;
        } finally {
          running.delete(run);
        }
      },
      { name: s.name, noOverlap: true, logger: cronLogger },
    ),
  );
  return {
    async stop() {
      await Promise.all(tasks.map((t) => t.destroy()));
      await Promise.all(running);
    },
  };
}
