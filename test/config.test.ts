import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, environmentWithDotEnv, loadConfig } from '../src/config.ts';

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

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...http, PORT: '', SLACK_APP_TOKEN: ' ', LOG_LEVEL: '' })).toMatchObject({
      port: 3000,
      logLevel: 'info',
      slack: { mode: 'http' },
    });
  });

  it.each([
    [{}, 'SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-…) from OAuth & Permissions'],
    [{ ...http, SLACK_BOT_TOKEN: 'xoxp-user-token' }, 'SLACK_BOT_TOKEN expects a bot token starting with xoxb-'],
    [{ ...http, SLACK_APP_TOKEN: 'xoxb-wrong' }, 'SLACK_APP_TOKEN expects an app-level token starting with xapp-'],
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
      { ...http, DATABASE_URL: 'postgres://bot@db/bot' },
      'DATABASE_URL is a PostgreSQL URL, which this version does not support yet; use sqlite:PATH or leave it unset',
    ],
    [{ ...http, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL expects sqlite:PATH or sqlite::memory:'],
    [{ ...http, DATABASE_URL: 'sqlite:' }, 'DATABASE_URL expects sqlite:PATH with a file path after "sqlite:"'],
    [{ ...http, LOG_LEVEL: 'loud' }, 'LOG_LEVEL expects one of fatal, error, warn, info, debug, trace, silent'],
    [{ ...http, MAX_FILE_MB: 'lots' }, 'MAX_FILE_MB expects a size in MB from 1 to 8192'],
    [{ ...http, MAX_FILE_MB: '0' }, 'MAX_FILE_MB expects a size in MB from 1 to 8192'],
  ])('%o → "%s"', (env, line) => {
    expect(problems(env)).toEqual([line]);
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
    const source = readFileSync('src/config.ts', 'utf8');
    const names = [...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      expect(readme, `README documents ${name}`).toContain(`\`${name}\``);
      expect(example, `.env.example lists ${name}`).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
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
