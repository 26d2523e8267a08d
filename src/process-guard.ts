import type { Logger } from './logger.ts';

/**
 * The last line of defence for a long-running bot. An exception nothing caught, or a rejection nobody
 * awaited, is logged and the process keeps serving: each comes from one request or one tick, the
 * store's writes are transactions a throw cannot leave half-done, and exiting would drop every other
 * team's acked work mid-flight. Node's advice that state may be inconsistent after such a fault is
 * real, though, and a guard that logs forever would hide a process that is broken for good (a timer
 * throwing every tick, a dependency gone). So faults are budgeted: more than `maxFaults` within
 * `windowMs` and the guard logs one fatal line, lets `stop` drain (at most `stopMs`) and exits 1,
 * for the supervisor to restart it; the monitor resumes from the store.
 */

export interface ProcessGuardOptions {
  maxFaults?: number;
  windowMs?: number;
  /** Stops taking work and drains what was acked, as a signal would. */
  stop?: () => Promise<void>;
  stopMs?: number;
  /** For tests; process.exit otherwise. */
  exit?: (code: number) => void;
}

const MESSAGE_MAX = 300;
const FRAMES_MAX = 12;

/**
 * What is logged of a fault: its type, a short message and the stack frames. Never the value itself:
 * a parse error's message quotes the input, and a rejected value can be anything (a whole request,
 * an object whose toString throws). The logger scrubs secrets from what is left.
 */
export function describeFault(fault: unknown): Record<string, unknown> {
  if (fault instanceof Error) {
    const frames = (fault.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .slice(0, FRAMES_MAX)
      .map((line) => line.trim());
    const code = (fault as NodeJS.ErrnoException).code;
    return {
      type: String(fault.name).slice(0, 64),
      message: String(fault.message).slice(0, MESSAGE_MAX),
      ...(typeof code === 'string' ? { code: code.slice(0, 64) } : {}),
      frames,
    };
  }
  return {
    type: fault === null ? 'null' : typeof fault,
    ...(typeof fault === 'string' ? { message: fault.slice(0, MESSAGE_MAX) } : {}),
  };
}

/** Installs the handlers; returns a function that removes them again. */
export function installProcessGuard(logger: Logger, options: ProcessGuardOptions = {}): () => void {
  const maxFaults = options.maxFaults ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const stopMs = options.stopMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const recent: number[] = [];
  let givingUp = false;

  const fault = (origin: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    const now = Date.now();
    recent.push(now);
    while (recent.length > 0 && (recent[0] ?? now) <= now - windowMs) recent.shift();
    if (recent.length <= maxFaults) {
      logger.error({ origin, fault: describeFault(error) }, `${origin}: logged, still serving`);
      return;
    }
    if (givingUp) return;
    givingUp = true;
    logger.fatal(
      { origin, fault: describeFault(error), faults: recent.length, window_ms: windowMs },
      'too many unhandled faults; stopping so the supervisor can restart the bot',
    );
    // Not unref'd: a stop that hangs on nothing must still end in exit 1, not in a quiet exit 0.
    const timer = setTimeout(() => exit(1), stopMs);
    const done = () => {
      clearTimeout(timer);
      exit(1);
    };
    // pino writes to stdout asynchronously: the fatal line is flushed before the stop says anything.
    new Promise<void>((resolve) => {
      if (typeof logger.flush === 'function') logger.flush(() => resolve());
      else resolve();
    })
      .then(() => options.stop?.())
      .then(done, done);
  };

  const onException = fault('uncaughtException');
  const onRejection = fault('unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
