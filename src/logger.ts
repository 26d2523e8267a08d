import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import { REDACT_PATHS } from './log-redact.ts';

export type Logger = PinoLogger;

const REDACTED = '[redacted]';

/**
 * Field names whose string values are secrets wherever they appear (`token`, `x-api-key`, `client_secret`,
 * an SSH key's `passphrase`, a `cookie` header, ...).
 */
const SENSITIVE_KEY = /token|secret|password|passphrase|authorization|cookie|api[-_]?key|private[-_]?key/i;
const FIELD_KEYWORD = new RegExp(SENSITIVE_KEY.source, 'gi');
const QUERY_KEYWORD = /token|secret|password|api[-_]?key/gi;

/**
 * Token-shaped secrets, applied in this order after the key-named fields. Each starts with a literal and ends in a
 * greedy run that nothing after it can make backtrack (Bearer's `\s+` gives back only its own whitespace), so a
 * pass is linear in the text.
 */
const TOKEN_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // Slack response_url and incoming webhooks: the path is the credential; keep the host for debugging.
  [/(https?:(?:\\?\/){2}hooks\.slack\.com)(?:\\?\/)[^\s"'<>`|)]+/gi, `$1/${REDACTED}`],
  [/xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+/g, REDACTED], // bot, user, config and refresh (xoxe) tokens
  [/xapp-[A-Za-z0-9-]+/g, REDACTED], // app-level tokens
  [/v0=[a-f0-9]{64}/g, REDACTED], // request signatures
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`],
  [/(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}/g, REDACTED], // OpenAI-style API keys (sk-…, sk-proj-…)
  [/whsec_[A-Za-z0-9+/=]{8,}/g, REDACTED], // webhook signing secrets (OpenAI, Standard Webhooks)
  [/(?<![A-Za-z0-9])tgp_v1_[A-Za-z0-9_-]{8,}/g, REDACTED], // Together AI keys
  [/(?<![A-Za-z0-9])fw_[A-Za-z0-9]{16,}/g, REDACTED], // Fireworks AI keys
  // A password in a URL's user info (postgres://bot:PASSWORD@db/…): keep the user and host for debugging.
  [/:\/\/([^\s:@/'"<>`]*):[^\s@/'"<>`]+@/g, `://$1:${REDACTED}@`],
];

// Key-named fields are found by a scan, not a regex: /[\w.-]*(?:token|…)[\w.-]*=/ retries every start inside a
// long word, which is quadratic (a 40 KB word in a Slack payload blocked the event loop for seconds). The scan
// looks at each word once and finds the same fields as those regexes did.
const KEY_QUOTE = /^(?:\\?["']|\\)?$/;
const FIELD_OPEN = /\s*[:=]\s*(\\?["'])/y;
const QUERY_START = /[?&;\s]/;
const QUERY_COUNT = /\d+(?:[&;\s]|$)/my;
const QUERY_VALUE = /[^&;\s"']+/y;
const WORD_REST = /[\w.-]*/y;
const LINE_END = /[\n\r\u2028\u2029]/;

/** Where a value to redact lies, and what is written back after the marker. */
type FieldValue = readonly [from: number, to: number, tail: string];
type ValueFinder = (text: string, keyStart: number, keyEnd: number, done: number) => FieldValue | undefined;

/** Replaces the value after every word that contains `keyword` and that `valueAfter` accepts as a field key. */
function scrubFields(text: string, keyword: RegExp, valueAfter: ValueFinder): string {
  let out = '';
  let done = 0; // text before `done` is in `out` already; a match never reaches back before it
  keyword.lastIndex = 0;
  for (let hit = keyword.exec(text); hit; hit = keyword.exec(text)) {
    let keyStart = hit.index;
    while (keyStart > done && isWordChar(text.charCodeAt(keyStart - 1))) keyStart--;
    WORD_REST.lastIndex = keyword.lastIndex;
    WORD_REST.test(text);
    // Later hits in the same word would find the same key; skipping them keeps the scan linear.
    keyword.lastIndex = WORD_REST.lastIndex;
    const value = valueAfter(text, keyStart, WORD_REST.lastIndex, done);
    if (!value) continue;
    const [from, to, tail] = value;
    out += `${text.slice(done, from)}${REDACTED}${tail}`;
    done = keyword.lastIndex = to;
  }
  return out + text.slice(done);
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

/** JSON- or code-shaped fields: "token":"…", 'client_secret': '…', \"authorization\":\"…\", password="…". */
const quotedValue: ValueFinder = (text, keyStart, keyEnd, done) => {
  // The key's own quoting (none, ", \" or a bare backslash) must close it too.
  for (const keyQuote of [text.slice(Math.max(0, keyStart - 2), keyStart), text.charAt(keyStart - 1), '']) {
    if (keyStart - keyQuote.length < done || !KEY_QUOTE.test(keyQuote) || !text.startsWith(keyQuote, keyEnd)) continue;
    FIELD_OPEN.lastIndex = keyEnd + keyQuote.length;
    const quote = FIELD_OPEN.exec(text)?.[1];
    if (quote === undefined) continue;
    const close = closingQuote(text, FIELD_OPEN.lastIndex, quote);
    if (close >= 0) return [FIELD_OPEN.lastIndex, close + quote.length, quote];
  }
  return undefined;
};

/**
 * Where `quote` closes a value starting at `from` (a backslash escapes any character but a line break), or -1.
 * A failed scan runs to the end, but any later key opened with the same quote would have closed it, so at most
 * four failed scans (", ', \", \') overlap: still linear overall.
 */
function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i += text.charCodeAt(i) === 92 ? 2 : 1) {
    if (text.startsWith(quote, i)) return i;
    if (text.charCodeAt(i) === 92 && (i + 1 === text.length || LINE_END.test(text.charAt(i + 1)))) return -1;
  }
  return -1;
}

/** Query-string or form fields: ?token=…&client_secret=… (counts such as max_tokens=100 are kept). */
const queryValue: ValueFinder = (text, keyStart, keyEnd) => {
  if (keyStart > 0 && !QUERY_START.test(text.charAt(keyStart - 1))) return undefined;
  if (text.charAt(keyEnd) !== '=') return undefined;
  QUERY_COUNT.lastIndex = QUERY_VALUE.lastIndex = keyEnd + 1;
  if (QUERY_COUNT.test(text) || !QUERY_VALUE.test(text)) return undefined;
  return [keyEnd + 1, QUERY_VALUE.lastIndex, ''];
};

/** `text` with every secret it contains replaced; linear in its length, whatever its shape. */
export function scrubSecrets(text: string): string {
  const fields = scrubFields(scrubFields(text, FIELD_KEYWORD, quotedValue), QUERY_KEYWORD, queryValue);
  return TOKEN_PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), fields);
}

/** The most characters of one string in a log line: a Slack payload can carry 40 KB of private_metadata. */
const MAX_STRING = 2_000;
const MAX_STACK = 8_000;

/**
 * `text` cut to at most `max` characters, marker included, so cutting twice changes nothing. Called only on
 * scrubbed text: cutting first could leave the start of a secret whose pattern needs its end (a closing quote).
 */
function cut(text: string, max = MAX_STRING): string {
  if (text.length <= max) return text;
  let keep = max - `…[+${text.length} chars]`.length;
  // Never split a surrogate pair.
  if (/[\ud800-\udbff]/.test(text.charAt(keep - 1))) keep--;
  return `${text.slice(0, keep)}…[+${text.length - keep} chars]`;
}

const MAX_DEPTH = 10;

/**
 * A copy of `value` that is safe to log: every string is scrubbed and cut to a bounded length, string values under
 * sensitive keys are replaced outright, errors become plain objects (message, stack and own fields scrubbed), and
 * cycles and over-deep nesting become markers instead of crashing or blowing up the line.
 */
export function scrubDeep(value: unknown): unknown {
  return scrub(value, false, new Set(), 0);
}

function scrub(value: unknown, sensitive: boolean, ancestors: Set<object>, depth: number, max = MAX_STRING): unknown {
  if (typeof value === 'string') return sensitive ? REDACTED : cut(scrubSecrets(value), max);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  ancestors.add(value);
  try {
    const child = (v: unknown, s = sensitive, max?: number) => scrub(v, s, ancestors, depth + 1, max);
    if (Array.isArray(value)) return value.map((v) => child(v));
    if (value instanceof Map) return child(Object.fromEntries(value));
    if (value instanceof Set) return [...value].map((v) => child(v));
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out.type = child(value.name);
      out.message = child(value.message);
      if (value.stack !== undefined) out.stack = child(value.stack, sensitive, MAX_STACK);
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
      // A stack is matched by name too: pino's err serializer sees the plain object formatters.log made.
      out[cut(key)] = child(field, sensitive || SENSITIVE_KEY.test(key), key === 'stack' ? MAX_STACK : MAX_STRING);
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
      // Every secret-bearing field by name (log-redact.ts), on top of the key and shape scrubbing below.
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
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
