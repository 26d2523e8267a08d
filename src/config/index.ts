import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { optionalText, token, tokenHint } from './fields.ts';
import { checkGpuFields, type GpuConfig, gpuConfig, gpuFields } from './gpu.ts';
import { checkK8sFields, type K8sConfig, k8sConfig, k8sFields } from './gpu-k8s.ts';
import { checkHostedFields, type HostedConfig, hostedConfig, hostedFields } from './hosted.ts';
import { checkJobFields, type JobsConfig, jobConfig, jobFields, type ProvidersConfig } from './jobs.ts';

/**
 * Every knob of the bot, read once from the environment at start. README lists the same variables;
 * test/config.test.ts keeps the two honest.
 */

/** `url` may hold a password: it is handed to the driver and never logged or echoed in an error. */
export type DatabaseTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'sqlite-memory' }
  | { kind: 'postgres'; url: string };

export const DEFAULT_DATABASE_URL = 'sqlite:./data/finetune-bot.db';
/** OpenAI's limit for one training file through files.create; larger ones need the Uploads API. */
export const DEFAULT_MAX_FILE_MB = 512;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function parseDatabaseUrl(url: string): DatabaseTarget | { error: string } {
  if (url === 'sqlite::memory:') return { kind: 'sqlite-memory' };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return { error: 'expects sqlite:PATH with a file path after "sqlite:"' };
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Checked here so a typo stops the start at once; the messages never quote the URL, whose
    // password would end up in the logs of whatever supervises the process.
    if (!URL.canParse(url)) {
      return { error: 'is not a valid URL; expects postgres://USER:PASSWORD@HOST:PORT/DATABASE' };
    }
    // A password with an unencoded / (or ?, #) ends the authority early: the "host" is then the
    // user and the password lands in the path, where nothing knows to hide it.
    const parsed = new URL(url);
    if (parsed.username === '' && /@/.test(`${parsed.pathname}${parsed.search}${parsed.hash}`)) {
      return {
        error:
          'has an @ after the host: encode special characters in the password (/ as %2F, ? as %3F, # as %23, @ as %40)',
      };
    }
    return { kind: 'postgres', url };
  }
  return { error: 'expects sqlite:PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST:PORT/DATABASE' };
}

// Problems are reported in this order, so the Slack variables of either mode come first: in Socket
// Mode SLACK_BOT_TOKEN and SLACK_APP_TOKEN, in HTTP mode (no app token) SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.
const fields = z.object({
  SLACK_BOT_TOKEN: optionalText.pipe(
    z
      .string({ error: 'is required: the Bot User OAuth Token (xoxb-…) from OAuth & Permissions' })
      .superRefine((value, ctx) => {
        if (value.startsWith('xoxb-')) return;
        ctx.addIssue({
          code: 'custom',
          message: `expects a bot token starting with xoxb-${tokenHint(value, 'xoxb-')}`,
        });
      }),
  ),
  SLACK_APP_TOKEN: token('xapp-', 'an app-level token'),
  SLACK_SIGNING_SECRET: optionalText,
  PORT: optionalText.transform((value, ctx) => {
    if (value === undefined) return 3000;
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
      ctx.addIssue({ code: 'custom', message: 'expects a port number from 0 to 65535' });
      return z.NEVER;
    }
    return Number(value);
  }),
  SLACK_API_URL: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, error: 'expects an http(s) URL such as https://slack.com/api/' })
      .transform((url) => (url.endsWith('/') ? url : `${url}/`))
      .optional(),
  ),
  DATABASE_URL: optionalText.transform((url, ctx) => {
    const target = parseDatabaseUrl(url ?? DEFAULT_DATABASE_URL);
    if ('error' in target) {
      ctx.addIssue({ code: 'custom', message: target.error });
      return z.NEVER;
    }
    return target;
  }),
  LOG_LEVEL: optionalText.pipe(
    z.enum(LOG_LEVELS, { error: `expects one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  PRICES_FILE: optionalText,
  MAX_FILE_MB: optionalText.transform((value, ctx) => {
    if (value === undefined) return DEFAULT_MAX_FILE_MB;
    const mb = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || mb < 1 || mb > 8192) {
      ctx.addIssue({ code: 'custom', message: 'expects a size in MB from 1 to 8192' });
      return z.NEVER;
    }
    return mb;
  }),
  ...jobFields,
  ...hostedFields,
  ...gpuFields,
  ...k8sFields,
});

/**
 * Rules that span variables ask only whether a variable is set, so they run on the raw text, apart
 * from the fields: an object's refinement would be skipped as soon as any one field failed.
 */
const crossRules = z.record(z.string(), optionalText).superRefine((raw, ctx) => {
  checkJobFields(raw, ctx);
  checkHostedFields(raw, ctx);
  checkGpuFields(raw, ctx);
  checkK8sFields(raw, ctx);
  if (!raw.SLACK_APP_TOKEN && !raw.SLACK_SIGNING_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['SLACK_SIGNING_SECRET'],
      message: 'is required when SLACK_APP_TOKEN is not set (HTTP mode); set SLACK_APP_TOKEN for Socket Mode instead',
    });
  }
});

export interface Config {
  slack: {
    botToken: string;
    mode: 'socket' | 'http';
    appToken?: string;
    signingSecret?: string;
    apiUrl?: string;
  };
  port: number;
  database: DatabaseTarget;
  logLevel: (typeof LOG_LEVELS)[number];
  /** A JSON file whose prices override the built-in catalogue; read at start. */
  pricesFile?: string;
  /** The largest training file the bot downloads from Slack to validate. */
  maxFileBytes: number;
  /** Only the providers whose variables are set. */
  providers: ProvidersConfig;
  jobs: JobsConfig;
  /** Together AI, Fireworks AI, OpenAI's webhooks and the Azure price feed. */
  hosted: HostedConfig;
  /** GPU hosts for LoRA over SSH, when GPU_HOSTS_FILE or GPU_SSH_HOST is set. */
  gpu?: GpuConfig;
  /** A Kubernetes cluster for LoRA jobs, when GPU_K8S_NAMESPACE is set. */
  k8s?: K8sConfig;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses an environment into a Config, or throws a ConfigError whose lines each name one variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = fields.safeParse(env);
  // A plain copy: process.env is an exotic object that zod's record does not take as one.
  const cross = crossRules.safeParse({ ...env });
  const issues = [...(parsed.error?.issues ?? []), ...(cross.error?.issues ?? [])];
  if (!parsed.success || issues.length > 0) {
    // One line per variable: its own problem before a cross-variable one, as it is the one to fix first.
    const seen = new Map<string, string>();
    for (const issue of issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (!seen.has(name)) seen.set(name, `${name} ${issue.message}`);
    }
    const order = Object.keys(fields.shape);
    const names = [...seen.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    throw new ConfigError(names.flatMap((name) => (seen.get(name) ?? name).split('\n')));
  }
  const e = parsed.data;
  const appToken = e.SLACK_APP_TOKEN;
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      mode: appToken ? 'socket' : 'http',
      ...(appToken ? { appToken } : {}),
      ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
    },
    port: e.PORT,
    database: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    ...(e.PRICES_FILE ? { pricesFile: e.PRICES_FILE } : {}),
    maxFileBytes: Math.round(e.MAX_FILE_MB * 1024 * 1024),
    ...jobConfig(e),
    hosted: hostedConfig(e),
    ...gpuConfig(env),
    ...k8sConfig(env),
  };
}

/**
 * The process environment with `.env` underneath it: a variable set in the real environment wins,
 * so a deployment can override a developer's file without editing it.
 */
export function environmentWithDotEnv(
  env: Record<string, string | undefined>,
  dotEnvPath = '.env',
): Record<string, string | undefined> {
  if (!existsSync(dotEnvPath)) return env;
  return { ...parseEnv(readFileSync(dotEnvPath, 'utf8')), ...env };
}
