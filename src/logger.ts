import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

export type Logger = PinoLogger;

/** Slack tokens and signing material that must never leave the process in a log line. */
const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g, // bot, user, config and refresh tokens
  /xapp-[A-Za-z0-9-]+/g, // app-level tokens
  /v0=[a-f0-9]{64}/g, // request signatures
  /Bearer\s+[A-Za-z0-9._~+/=-]+/gi,
];

export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((acc, pattern) => acc.replace(pattern, '[redacted]'), text);
}

function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value instanceof Error) {
    return { type: value.name, message: scrubSecrets(value.message), stack: scrubSecrets(value.stack ?? '') };
  }
  return value;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
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
        censor: '[redacted]',
      },
      serializers: { err: (err: unknown) => scrubValue(err) },
      hooks: {
        // Bolt and the Web API client log free-form strings and errors; scrub them on the way out.
        logMethod(args, method) {
          method.apply(this, args.map(scrubValue) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

type BoltLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Bolt's Logger interface over pino, so the whole process writes one structured stream. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let current: LogLevel = LogLevel.INFO;
  const write =
    (level: BoltLogLevel) =>
    (...msg: unknown[]) => {
      // Bolt logs at debug on every request; skip building strings nobody will read.
      if (!child.isLevelEnabled(level)) return;
      const [first, ...rest] = msg;
      if (first instanceof Error) child[level]({ err: first }, rest.map(String).join(' ') || first.message);
      else child[level](msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
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
