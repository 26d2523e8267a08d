import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { Harness } from '../e2e/harness.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { createTestSchema, describePostgres } from '../support/postgres.ts';

/** The bot's own start on PostgreSQL: main.ts opens the store through startup.ts's openStoreOrExplain. */

const slack = new FakeSlack();
beforeAll(async () => {
  await slack.start();
});
afterAll(async () => {
  await slack.stop();
});

/** A loopback port nothing listens on: taken and given back. */
const closedPort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

describe('a bot whose PostgreSQL is down at start', () => {
  it('stops with one line on stderr and exit 1, never showing the password', async () => {
    const port = await closedPort();
    const child = spawn(process.execPath, [resolve('src/main.ts')], {
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: 'xoxb-pg-down',
        SLACK_SIGNING_SECRET: 'pg-down-secret',
        SLACK_API_URL: slack.apiUrl,
        AZURE_RETAIL_PRICES_URL: 'off',
        PORT: '0',
        DATABASE_URL: `postgres://bot:hunter2-secret@127.0.0.1:${port}/bot`,
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err).toBe(
      `finetune-bot: DATABASE_URL: cannot use PostgreSQL at 127.0.0.1:${port}/bot (connection refused: is it running, and on that port?); start it or fix DATABASE_URL\n`,
    );
    expect(`${out}${err}`).not.toContain('hunter2');
  });
});

describePostgres('a bot on PostgreSQL', () => {
  it('starts, answers /healthz, and keeps what it is told in its schema', async () => {
    const schema = await createTestSchema();
    const bot = new Harness({ DATABASE_URL: schema.url });
    try {
      await bot.start();
      const health = await fetch(`${bot.url}/healthz`);
      expect(health.status).toBe(200);
      const { rows } = await schema.query('SELECT MAX(version) AS v FROM schema_migrations');
      expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(5);
      // The bot's store and a second one on the same schema see the same rows.
      const other = await openPostgresStore(schema.url, { logger: { warn: () => {} } });
      try {
        expect(await other.tryLease('probe', 'test', 1000)).toBe(true);
        expect(await other.listActiveJobs()).toEqual([]);
      } finally {
        await other.close();
      }
    } finally {
      await bot.stop();
      await schema.drop();
    }
  });
});
