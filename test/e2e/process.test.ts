import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../support/fake-slack.ts';

const MAIN = resolve('src/main.ts');
const slack = new FakeSlack();
let dir: string;

beforeAll(async () => {
  await slack.start();
  dir = mkdtempSync(join(tmpdir(), 'ftbot-proc-'));
});
afterAll(async () => {
  await slack.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `npm start` as a user runs it, from a folder of its own so no developer's .env leaks in. */
function start(env: Record<string, string>): { child: ChildProcess; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', AZURE_RETAIL_PRICES_URL: 'off', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return { child, output: () => ({ stdout, stderr }) };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}

describe('the bot as a process', () => {
  it.each([
    [
      {},
      'finetune-bot: SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-…) from OAuth & Permissions\n' +
        'finetune-bot: SLACK_SIGNING_SECRET is required when SLACK_APP_TOKEN is not set (HTTP mode); set SLACK_APP_TOKEN for Socket Mode instead',
    ],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PORT: 'abc' },
      'finetune-bot: PORT expects a port number from 0 to 65535',
    ],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', DATABASE_URL: 'mysql://bot:hunter2@db/bot' },
      'finetune-bot: DATABASE_URL expects sqlite:PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    ],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PORT: 'abc', PRICES_FILE: 'no-such-prices.json' },
      'finetune-bot: PORT expects a port number from 0 to 65535\n' +
        // A relative path is read from where the bot runs: the message says where that is.
        'finetune-bot: PRICES_FILE no-such-prices.json: cannot be read (no such file in DIR)',
    ],
  ])('stops with one clear line per mistake and exit 1 on bad configuration: %o', async (env, line) => {
    const { child, output } = start(env);
    expect(await exitOf(child)).toBe(1);
    expect(output().stderr.trim()).toBe(line.replace('DIR', dir));
    expect(output().stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('stops with one line when Slack refuses the token, without printing it', async () => {
    slack.on('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    const token = 'xoxb-1234-5678-refusedtokenvalue';
    try {
      const { child, output } = start({
        SLACK_BOT_TOKEN: token,
        SLACK_SIGNING_SECRET: 's',
        PORT: '0',
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: `sqlite:${join(dir, 'refused', 'bot.db')}`,
        LOG_LEVEL: 'info',
      });
      expect(await exitOf(child)).toBe(1);
      expect(output().stderr.trim()).toBe(
        'finetune-bot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth); copy the Bot User OAuth Token again',
      );
      expect(output().stdout + output().stderr).not.toContain('refusedtokenvalue');
      // Nothing before or besides the one line: no log lines, and no database left behind.
      expect(output().stdout).toBe('');
      expect(existsSync(join(dir, 'refused'))).toBe(false);
    } finally {
      slack.reset();
    }
  });

  it('stops with one line naming PORT when the port is taken', async () => {
    const holder = createServer().listen(0);
    await once(holder, 'listening');
    const port = (holder.address() as AddressInfo).port;
    try {
      const { child, output } = start({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        PORT: String(port),
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: 'sqlite::memory:',
      });
      expect(await exitOf(child)).toBe(1);
      expect(output().stderr.trim()).toBe(
        `finetune-bot: PORT ${port} is already in use; stop what holds it or set another PORT`,
      );
    } finally {
      holder.close();
    }
  });

  it('reads .env from its working folder, starts, answers /healthz and shuts down cleanly on SIGTERM', async () => {
    writeFileSync(
      join(dir, '.env'),
      `SLACK_BOT_TOKEN=xoxb-from-dotenv\nSLACK_SIGNING_SECRET=s\nSLACK_API_URL=${slack.apiUrl}\nPORT=0\n`,
    );
    const { child, output } = start({ LOG_LEVEL: 'info' });
    try {
      await expect.poll(() => output().stdout, { timeout: 10_000 }).toContain('finetune-bot is running');
      // PORT=0 takes a free port; the start line says which.
      const running =
        output()
          .stdout.split('\n')
          .find((line) => line.includes('finetune-bot is running')) ?? '{}';
      const port = (JSON.parse(running) as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect(slack.callsTo('auth.test').at(-1)?.authorization).toBe('Bearer xoxb-from-dotenv');
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      expect(output().stdout).toContain('shutting down');
      expect(output().stdout).not.toContain('xoxb-from-dotenv');
    } finally {
      child.kill('SIGKILL');
      rmSync(join(dir, '.env'), { force: true });
    }
  });
});
