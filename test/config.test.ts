import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, environmentWithDotEnv, loadConfig } from '../src/config/index.ts';

const http = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 's3cret' };
const problems = (env: Record<string, string | undefined>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('applies the embedded defaults: HTTP mode on 3000, SQLite in ./data', () => {
    expect(loadConfig(http)).toEqual({
      slack: { botToken: 'xoxb-1-2-abc', mode: 'http', signingSecret: 's3cret' },
      port: 3000,
      database: { kind: 'sqlite', path: './data/finetune-bot.db' },
      logLevel: 'info',
      maxFileBytes: 512 * 1024 * 1024,
      providers: {},
      hosted: { azureRetailPricesUrl: 'https://prices.azure.com/api/retail/prices' },
      jobs: {
        pollCron: '*/30 * * * * *',
        stallMinutes: 30,
        noticeLeaseMs: 60_000,
        approvers: [],
        admins: [],
        allowedUsers: [],
        allowedChannels: [],
      },
    });
  });

  it('uses Socket Mode when an app token is set, and needs no signing secret then', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A-2-x' });
    expect(config.slack).toEqual({ botToken: 'xoxb-1', mode: 'socket', appToken: 'xapp-1-A-2-x' });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...http,
      PORT: '0',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      DATABASE_URL: 'sqlite::memory:',
      LOG_LEVEL: 'debug',
      PRICES_FILE: './prices.json',
      MAX_FILE_MB: '20',
    });
    expect(config).toMatchObject({
      pricesFile: './prices.json',
      maxFileBytes: 20 * 1024 * 1024,
      port: 0,
      database: { kind: 'sqlite-memory' },
      logLevel: 'debug',
      slack: { apiUrl: 'http://127.0.0.1:9999/api/' },
    });
    expect(loadConfig({ ...http, DATABASE_URL: 'sqlite:/var/lib/bot.db' }).database).toEqual({
      kind: 'sqlite',
      path: '/var/lib/bot.db',
    });
    expect(loadConfig({ ...http, DATABASE_URL: 'sqlite:///var/lib/bot.db' }).database).toEqual({
      kind: 'sqlite',
      path: '/var/lib/bot.db',
    });
  });

  it('takes a PostgreSQL URL as it is, for the driver, whichever scheme it uses', () => {
    for (const url of [
      'postgres://bot:s3cret@db.internal:5432/bot',
      'postgresql://bot@db/bot?sslmode=require&options=-c%20search_path%3Dftbot',
      'postgres:///bot?host=/var/run/postgresql',
    ]) {
      expect(loadConfig({ ...http, DATABASE_URL: url }).database).toEqual({ kind: 'postgres', url });
    }
  });

  it('never shows a PostgreSQL password in what it says about a bad URL', () => {
    for (const url of [
      'postgres://bot:hunter2@db:port/bot',
      'postgres://bot:hunter2@/bot',
      'postgres://bot:hunter2@[db/bot',
      // An unencoded / in the password: it would parse with the password in the path.
      'postgres://bot:hun/ter2@db:5432/bot',
      'postgres://bot:1234/hunter2@db/bot',
    ]) {
      const said = problems({ ...http, DATABASE_URL: url });
      expect(said).toHaveLength(1);
      expect(said.join('\n')).not.toContain('hunter2');
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...http, PORT: '', SLACK_APP_TOKEN: ' ', LOG_LEVEL: '' })).toMatchObject({
      port: 3000,
      logLevel: 'info',
      slack: { mode: 'http' },
    });
  });

  it.each([
    [
      { SLACK_SIGNING_SECRET: 's' },
      'SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-…) from OAuth & Permissions',
    ],
    [
      { ...http, SLACK_BOT_TOKEN: 'xoxp-user-token' },
      'SLACK_BOT_TOKEN expects a bot token starting with xoxb-; this looks like a user token (xoxp-…): the bot uses the Bot User OAuth Token (xoxb-…) from OAuth & Permissions',
    ],
    [
      { ...http, SLACK_APP_TOKEN: 'xoxb-wrong' },
      'SLACK_APP_TOKEN expects an app-level token starting with xapp-; this looks like a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN',
    ],
    [
      { ...http, SLACK_BOT_TOKEN: 'xapp-1-A0-123-abc' },
      'SLACK_BOT_TOKEN expects a bot token starting with xoxb-; this looks like an app-level token (xapp-…), which belongs in SLACK_APP_TOKEN',
    ],
    [
      { ...http, OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'api.openai.com/v1' },
      'OPENAI_BASE_URL expects an http(s) URL such as https://api.openai.com/v1; add https:// in front of it',
    ],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1' },
      'SLACK_SIGNING_SECRET is required when SLACK_APP_TOKEN is not set (HTTP mode); set SLACK_APP_TOKEN for Socket Mode instead',
    ],
    [{ ...http, PORT: 'eighty' }, 'PORT expects a port number from 0 to 65535'],
    [{ ...http, PORT: '70000' }, 'PORT expects a port number from 0 to 65535'],
    [{ ...http, PORT: '-1' }, 'PORT expects a port number from 0 to 65535'],
    [
      { ...http, SLACK_API_URL: 'slack.com/api' },
      'SLACK_API_URL expects an http(s) URL such as https://slack.com/api/',
    ],
    [
      { ...http, SLACK_API_URL: 'ftp://slack.com/api' },
      'SLACK_API_URL expects an http(s) URL such as https://slack.com/api/',
    ],
    [
      { ...http, DATABASE_URL: 'postgres://bot:hunter2@db:fivefourthreetwo/bot' },
      'DATABASE_URL is not a valid URL; expects postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    ],
    [
      { ...http, DATABASE_URL: 'postgresql://bot:hunter2@/bot' },
      'DATABASE_URL is not a valid URL; expects postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    ],
    [
      { ...http, DATABASE_URL: 'mysql://x' },
      'DATABASE_URL expects sqlite:PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    ],
    [{ ...http, DATABASE_URL: 'sqlite:' }, 'DATABASE_URL expects sqlite:PATH with a file path after "sqlite:"'],
    [{ ...http, LOG_LEVEL: 'loud' }, 'LOG_LEVEL expects one of fatal, error, warn, info, debug, trace, silent'],
    [{ ...http, MAX_FILE_MB: 'lots' }, 'MAX_FILE_MB expects a size in MB from 1 to 8192'],
    [{ ...http, MAX_FILE_MB: '0' }, 'MAX_FILE_MB expects a size in MB from 1 to 8192'],
  ])('%o → "%s"', (env, line) => {
    expect(problems(env)).toEqual([line]);
  });

  it('reports every problem at once, one line per variable, cross-variable rules included', () => {
    expect(problems({ ...http, PORT: 'eighty', MAX_JOB_USD: '100' })).toEqual([
      'PORT expects a port number from 0 to 65535',
      'APPROVER_USER_IDS is required when MAX_JOB_USD is set: someone must be able to approve a costly job',
    ]);
  });

  it('puts the HTTP mode variables first when no app token is set', () => {
    expect(problems({ DIGEST_CRON: '0 9 * * 1', LOG_LEVEL: 'loud', PORT: 'eighty' })).toEqual([
      'SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-…) from OAuth & Permissions',
      'SLACK_SIGNING_SECRET is required when SLACK_APP_TOKEN is not set (HTTP mode); set SLACK_APP_TOKEN for Socket Mode instead',
      'PORT expects a port number from 0 to 65535',
      'LOG_LEVEL expects one of fatal, error, warn, info, debug, trace, silent',
      'DIGEST_CHANNEL is required when DIGEST_CRON is set',
    ]);
  });

  it('puts the Socket Mode variables first, and asks for no signing secret, once an app token is set even if malformed', () => {
    const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-wrong', PORT: 'eighty', MAX_JOB_USD: '100' };
    expect(problems(env)).toEqual([
      'SLACK_APP_TOKEN expects an app-level token starting with xapp-; this looks like a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN',
      'PORT expects a port number from 0 to 65535',
      'APPROVER_USER_IDS is required when MAX_JOB_USD is set: someone must be able to approve a costly job',
    ]);
    expect(problems({ ...env, SLACK_BOT_TOKEN: 'xoxp-user' }).slice(0, 2)).toEqual([
      'SLACK_BOT_TOKEN expects a bot token starting with xoxb-; this looks like a user token (xoxp-…): the bot uses the Bot User OAuth Token (xoxb-…) from OAuth & Permissions',
      'SLACK_APP_TOKEN expects an app-level token starting with xapp-; this looks like a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN',
    ]);
  });

  it('counts a malformed value as set for the rules across variables, and names its own problem first', () => {
    expect(problems({ ...http, MAX_JOB_USD: 'lots' })).toEqual([
      'MAX_JOB_USD expects an amount in USD above 0',
      'APPROVER_USER_IDS is required when MAX_JOB_USD is set: someone must be able to approve a costly job',
    ]);
    expect(problems({ ...http, MAX_JOB_USD: '100', APPROVER_USER_IDS: 'alice' })).toEqual([
      'APPROVER_USER_IDS expects comma-separated Slack user ids such as U012ABCDEF',
    ]);
  });

  it('reports in the same order however the environment is ordered', () => {
    const env = { PORT: 'x', DIGEST_CHANNEL: 'C0ML', SLACK_BOT_TOKEN: 'nope', MAX_FILE_MB: '0', MAX_JOB_USD: '5' };
    const reversed = Object.fromEntries(Object.entries(env).reverse());
    expect(problems(reversed)).toEqual(problems(env));
    expect(problems(env).map((line) => line.split(' ')[0])).toEqual([
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'PORT',
      'MAX_FILE_MB',
      'APPROVER_USER_IDS',
      'DIGEST_CRON',
    ]);
  });

  it('never echoes a secret value back in its errors', () => {
    const lines = problems({
      SLACK_BOT_TOKEN: 'xoxp-very-secret-user-token',
      SLACK_APP_TOKEN: 'xoxb-secret-in-wrong-place',
    });
    expect(lines.join('\n')).not.toMatch(/very-secret|secret-in-wrong-place/);
  });

  it('documents every variable it reads in README and .env.example', () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = readFileSync('.env.example', 'utf8');
    const source =
      readFileSync('src/config/index.ts', 'utf8') +
      readFileSync('src/config/jobs.ts', 'utf8') +
      readFileSync('src/config/hosted.ts', 'utf8') +
      readFileSync('src/config/gpu-k8s.ts', 'utf8');
    const names = [...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      expect(readme, `README documents ${name}`).toContain(`\`${name}\``);
      expect(example, `.env.example lists ${name}`).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
  });
});

describe('provider and job variables', () => {
  it('configures OpenAI and Azure (key or Entra ID, with deployment) only when their variables are set', () => {
    const config = loadConfig({
      ...http,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1/',
      OPENAI_PROJECT_ID: 'proj_1',
      AZURE_OPENAI_ENDPOINT: 'https://acme.openai.azure.com/',
      AZURE_SUBSCRIPTION_ID: 'sub-1',
      AZURE_RESOURCE_GROUP: 'rg-ml',
      AZURE_OPENAI_ACCOUNT: 'acme',
    });
    expect(config.providers).toEqual({
      openai: { apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', project: 'proj_1' },
      azure: {
        endpoint: 'https://acme.openai.azure.com',
        deploy: {
          subscriptionId: 'sub-1',
          resourceGroup: 'rg-ml',
          account: 'acme',
          armEndpoint: 'https://management.azure.com',
        },
      },
    });
  });

  it('reads the job knobs', () => {
    const { jobs } = loadConfig({
      ...http,
      POLL_CRON: '*/10 * * * * *',
      STALL_MINUTES: '45',
      MAX_JOB_USD: '250',
      APPROVER_USER_IDS: 'U0ALICE, U0BOB',
      ALLOWED_USER_IDS: 'U0ALICE',
      ALLOWED_CHANNEL_IDS: 'C0ML,G0PRIV',
      DIGEST_CRON: '0 9 * * 1',
      DIGEST_CHANNEL: 'C0ML',
    });
    expect(jobs).toEqual({
      pollCron: '*/10 * * * * *',
      stallMinutes: 45,
      noticeLeaseMs: 60_000,
      maxJobUsd: 250,
      approvers: ['U0ALICE', 'U0BOB'],
      admins: [],
      allowedUsers: ['U0ALICE'],
      allowedChannels: ['C0ML', 'G0PRIV'],
      digest: { cron: '0 9 * * 1', channel: 'C0ML' },
    });
  });

  it.each([
    [{ POLL_CRON: 'every 30 seconds' }, /^POLL_CRON expects a cron expression/],
    [{ STALL_MINUTES: '0' }, /^STALL_MINUTES expects a number of minutes above 0/],
    [{ MAX_JOB_USD: '-5', APPROVER_USER_IDS: 'U0A' }, /^MAX_JOB_USD expects an amount in USD above 0/],
    [{ MAX_JOB_USD: '100' }, /^APPROVER_USER_IDS is required when MAX_JOB_USD is set/],
    [{ APPROVER_USER_IDS: 'alice' }, /^APPROVER_USER_IDS expects comma-separated Slack user ids/],
    [{ ALLOWED_CHANNEL_IDS: '#ml' }, /^ALLOWED_CHANNEL_IDS expects comma-separated Slack channel ids/],
    [{ DIGEST_CRON: '0 9 * * 1' }, /^DIGEST_CHANNEL is required when DIGEST_CRON is set/],
    [{ DIGEST_CHANNEL: 'C0ML' }, /^DIGEST_CRON is required when DIGEST_CHANNEL is set/],
    [{ AZURE_OPENAI_ENDPOINT: 'acme.openai.azure.com' }, /^AZURE_OPENAI_ENDPOINT expects an http\(s\) URL/],
    [
      { AZURE_OPENAI_ENDPOINT: 'https://a.openai.azure.com', AZURE_SUBSCRIPTION_ID: 's' },
      /^AZURE_RESOURCE_GROUP is required to deploy on Azure/,
    ],
    [{ AZURE_OPENAI_API_KEY: 'k' }, /^AZURE_OPENAI_ENDPOINT is required when AZURE_OPENAI_API_KEY is set/],
    [{ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, /^OPENAI_API_KEY is required when other OPENAI_ variables are set/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    const lines = problems({ ...http, ...env });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('never echoes a provider key in its errors', () => {
    const lines = problems({ ...http, AZURE_OPENAI_API_KEY: 'azure-secret-key-123' });
    expect(lines.join('\n')).not.toContain('azure-secret-key-123');
  });
});

describe('environmentWithDotEnv', () => {
  it('reads .env underneath the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftbot-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\n# a comment\nLOG_LEVEL="debug"\n');
    expect(environmentWithDotEnv({ PORT: '5000' }, file)).toEqual({
      SLACK_BOT_TOKEN: 'xoxb-from-file',
      PORT: '5000',
      LOG_LEVEL: 'debug',
    });
    expect(environmentWithDotEnv({ PORT: '5000' }, join(dir, 'missing'))).toEqual({ PORT: '5000' });
    rmSync(dir, { recursive: true });
  });
});

describe('the real process environment', () => {
  it('is read like a plain object', () => {
    const saved = { ...process.env };
    try {
      process.env.SLACK_BOT_TOKEN = 'xoxb-from-process-env';
      process.env.SLACK_SIGNING_SECRET = 's';
      expect(loadConfig(process.env).slack.botToken).toBe('xoxb-from-process-env');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
