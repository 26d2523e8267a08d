import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

export type Logger = PinoLogger;

const REDACTED = '[redacted]';

/** Field names whose string values are secrets wherever they appear (`token`, `x-api-key`, `client_secret`, ...). */
const SENSITIVE_KEY = /token|secret|password|authorization|api[-_]?key/i;

/**
 * Secrets that must never leave the process in a log line, in the order they are applied.
 * Each entry is a pattern and what replaces a match.
 */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // JSON- or code-shaped fields: "token":"…", 'client_secret': '…', \"authorization\":\"…\", password="…".
  [
    /((\\?["']?)[\w.-]*(?:token|secret|password|authorization|api[-_]?key)[\w.-]*\2\s*[:=]\s*)(\\?["'])(?:[^\\]|\\.)*?\3/gi,
    `$1$3${REDACTED}$3`,
  ],
  // Query-string or form fields: ?token=…&client_secret=… (counts such as max_tokens=100 are kept).
  [
    /((?:^|[?&;\s])[\w.-]*(?:token|secret|password|api[-_]?key)[\w.-]*=)(?!\d+(?:[&;\s]|$))[^&;\s"']+/gim,
    `$1${REDACTED}`,
  ],
  // Slack response_url and incoming webhooks: the path is the credential; keep the host for debugging.
  [/(https?:(?:\\?\/){2}hooks\.slack\.com)(?:\\?\/)[^\s"'<>`|)]+/gi, `$1/${REDACTED}`],
  [/xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+/g, REDACTED], // bot, user, config and refresh (xoxe) tokens
  [/xapp-[A-Za-z0-9-]+/g, REDACTED], // app-level tokens
  [/v0=[a-f0-9]{64}/g, REDACTED], // request signatures
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`],
  [/(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}/g, REDACTED], // OpenAI-style API keys (sk-…, sk-proj-…)
];

export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

const MAX_DEPTH = 10;

/**
 * A copy of `value` that is safe to log: every string is scrubbed, string values under sensitive keys are
 * replaced outright, errors become plain objects (message, stack and own fields scrubbed), and cycles and
 * over-deep nesting become markers instead of crashing or blowing up the line.
 */
export function scrubDeep(value: unknown): unknown {
  return scrub(value, false, new Set(), 0);
}

function scrub(value: unknown, sensitive: boolean, ancestors: Set<object>, depth: number): unknown {
  if (typeof value === 'string') return sensitive ? REDACTED : scrubSecrets(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  ancestors.add(value);
  try {
    const child = (v: unknown, s = sensitive) => scrub(v, s, ancestors, depth + 1);
    if (Array.isArray(value)) return value.map((v) => child(v));
    if (value instanceof Map) return child(Object.fromEntries(value));
    if (value instanceof Set) return [...value].map((v) => child(v));
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out.type = value.name;
      out.message = sensitive ? REDACTED : scrubSecrets(value.message);
      if (value.stack !== undefined) out.stack = sensitive ? REDACTED : scrubSecrets(value.stack);
      if (value.cause !== undefined) out.cause = child(value.cause);
      if (value instanceof AggregateError) out.errors = child(value.errors);
    } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      let json: unknown;
      try {
        json = (value as { toJSON: () => unknown }).toJSON();
      } catch {
        return '[Unserializable]';
      }
      if (json !== value) return child(json);
    }
    for (const key of Object.keys(value)) {
      if (key in out) continue;
      let field: unknown;
      try {
        field = (value as Record<string, unknown>)[key];
      } catch {
        field = '[Unreadable]';
      }
      out[key] = child(field, sensitive || SENSITIVE_KEY.test(key));
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

/** JSON for a log message that never throws: no cycles (scrubDeep marks them), BigInt as a string. */
export function safeStringify(value: unknown): string {
  try {
    const json = JSON.stringify(scrubDeep(value), (_key, v) => (typeof v === 'bigint' ? `${v}n` : v));
    return json ?? String(value);
  } catch {
    return '[Unserializable]';
  }
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      base: { app: 'finetune-bot' },
      redact: {
        paths: [
          'token',
          'botToken',
          'appToken',
          'signingSecret',
          '*.token',
          '*.botToken',
          '*.appToken',
          '*.signingSecret',
          'headers.authorization',
          'headers["x-slack-signature"]',
        ],
        censor: REDACTED,
      },
      // formatters.log runs first and already turns errors into scrubbed plain objects; this keeps an
      // `err` field scrubbed even if that ever changes.
      serializers: { err: (err: unknown) => scrubDeep(err) },
      formatters: {
        // Every merge object, however nested, is scrubbed on the way out.
        log: (object) => scrubDeep(object) as Record<string, unknown>,
      },
      hooks: {
        // The message and its printf-style arguments never reach formatters.log; scrub them here.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          // Keep pino's `logger.error(err)` shape: { err }, with the error's message as the message.
          const normalized =
            first instanceof Error ? [{ err: first }, ...(rest.length > 0 ? rest : [first.message])] : args;
          const scrubbed = normalized.map((arg, i) =>
            i === 0 && typeof arg === 'object' && arg !== null ? arg : scrubDeep(arg),
          );
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  // pino applies formatters.bindings to the root logger only and serializes a child's bindings once, when the
  // child is made; scrub them there. Children inherit this method, so grandchildren are covered too.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, options) {
    return child.call(this, scrubDeep(bindings) as typeof bindings, options);
  } as typeof child;
  return logger;
}

type BoltLogLevel = 'debug' | 'info' | 'warn' | 'error';

function formatArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (typeof arg === 'bigint') return `${arg}n`;
  if (typeof arg !== 'object' || arg === null) return String(arg);
  return safeStringify(arg);
}

/** Bolt's Logger interface over pino, so the whole process writes one structured stream. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let current: LogLevel = LogLevel.INFO;
  const write =
    (level: BoltLogLevel) =>
    (...msg: unknown[]) => {
      // Bolt logs at debug on every request; skip building strings nobody will read.
      if (!child.isLevelEnabled(level)) return;
      // The first error becomes the structured `err` field; everything else is the message.
      const errIndex = msg.findIndex((m) => m instanceof Error);
      const err = errIndex >= 0 ? (msg[errIndex] as Error) : undefined;
      const text = scrubSecrets(
        msg
          .filter((_, i) => i !== errIndex)
          .map(formatArg)
          .join(' '),
      );
      if (err) child[level]({ err }, text || scrubSecrets(err.message));
      else child[level](text);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel(level: LogLevel) {
      current = level;
    },
    getLevel() {
      return current;
    },
    setName() {},
  };
}
