import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { expect } from 'vitest';

/** The bot as a process of its own (src/main.ts), for the tests that SIGKILL it. */

const MAIN = resolve('src/main.ts');

export interface BotProcess {
  child: ChildProcess;
  port: number;
  /** The id it holds its notice claims and job leases by. */
  replica: string;
  /** Everything it wrote, stdout and stderr. */
  out: () => string;
}

/** Starts the bot with exactly `env` (and PATH); resolves once it says it is running. */
export async function spawnBot(env: Record<string, string>, cwd?: string): Promise<BotProcess> {
  const child = spawn(process.execPath, [MAIN], {
    ...(cwd ? { cwd } : {}),
    env: { PATH: process.env.PATH ?? '', AZURE_RETAIL_PRICES_URL: 'off', LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  await expect.poll(() => out, { timeout: 20_000 }).toContain('finetune-bot is running');
  const line = out.split('\n').find((l) => l.includes('finetune-bot is running')) ?? '{}';
  const started = JSON.parse(line) as { port: number; replica: string };
  return { child, port: started.port, replica: started.replica, out: () => out };
}

/** SIGKILL, and wait until it is gone. */
export async function killBot(bot: Pick<BotProcess, 'child'>): Promise<void> {
  bot.child.kill('SIGKILL');
  if (bot.child.exitCode === null && bot.child.signalCode === null) await once(bot.child, 'exit');
}
