import { Writable } from 'node:stream';

/**
 * Log lines for a person at a terminal: `12:04:31 WARN  could not read job states provider=openai`.
 * The bot logs JSON (for log shippers) unless stdout is a TTY; this turns pino's already scrubbed
 * JSON lines into that form, so nothing bypasses the scrubbing. A line that is not JSON passes as is.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, or that the line's head already shows. */
const HIDDEN = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname']);

export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '--:--:--';
  const level = (LEVELS[Number(o.level)] ?? String(o.level ?? '')).padEnd(5);
  const fields = Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [time, level, String(o.msg ?? ''), ...fields].join(' ').trimEnd();
}

/** A destination for pino that writes pretty lines to `out`. */
export function prettyStream(out: NodeJS.WritableStream): Writable {
  let rest = '';
  return new Writable({
    write(chunk, _encoding, done) {
      const text = rest + String(chunk);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${prettyLine(line)}\n`);
      done();
    },
    final(done) {
      if (rest !== '') out.write(`${prettyLine(rest)}\n`);
      done();
    },
  });
}
