import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreOrExplain } from '../../src/startup.ts';
import { openStoreAsync, type Store, StoreError, type StoreLogger } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations-postgres.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { createTestSchema, describePostgres, type TestSchema } from '../support/postgres.ts';
import { storeContract } from './contract.ts';
import { job } from './contract-fixtures.ts';

/** Warnings kept, not printed: the tests that want them look. */
const silent: StoreLogger = { warn: () => {} };

describePostgres('PostgreSQL', () => {
  storeContract({
    name: 'PostgreSQL',
    async fresh() {
      const schema = await createTestSchema();
      return {
        open: (options) => openStoreAsync({ kind: 'postgres', url: schema.url }, { logger: silent, ...options }),
        async exec(sql) {
          await schema.query(sql);
        },
        drop: () => schema.drop(),
      };
    },
  });

  describe('PostgreSQL’s own ways', ownWays);
});

function ownWays() {
  let schema: TestSchema;
  let stores: Store[];
  beforeEach(async () => {
    schema = await createTestSchema();
    stores = [];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await schema.drop();
  });
  const open = async (options: Parameters<typeof openPostgresStore>[1] = {}) => {
    const store = await openPostgresStore(schema.url, { logger: silent, ...options });
    stores.push(store);
    return store;
  };
  const versions = async () =>
    (await schema.query('SELECT version, name FROM schema_migrations ORDER BY version')).rows.map((r) => ({
      version: Number(r.version),
      name: r.name,
    }));

  it('keeps its tables in the schema of its search_path, and says it is PostgreSQL', async () => {
    const store = await open();
    expect(store.kind).toBe('postgres');
    const { rows } = await schema.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'jobs'",
      [schema.name],
    );
    expect(rows).toHaveLength(1);
  });

  it('migrates once, however many replicas start at the same moment', async () => {
    const replicas = await Promise.all(Array.from({ length: 4 }, () => open()));
    expect(replicas).toHaveLength(4);
    expect(await versions()).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    await open(); // and a later start finds nothing left to do
    expect(await versions()).toHaveLength(MIGRATIONS.length);
  });

  it('rolls a failing migration back whole and says which one failed', async () => {
    await open();
    const next = POSTGRES_MIGRATIONS.length + 1;
    const broken = [
      ...POSTGRES_MIGRATIONS,
      { version: next, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM missing_table;' },
    ];
    await expect(open({ migrations: broken })).rejects.toThrow(
      new RegExp(`migration ${next} \\(broken\\) failed: relation "missing_table" does not exist`),
    );
    const half = await schema.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half'",
      [schema.name],
    );
    expect(half.rows).toEqual([]);
    expect(await versions()).toHaveLength(POSTGRES_MIGRATIONS.length);
  });

  it('refuses a database written by a newer release', async () => {
    await (await open()).close();
    await schema.query("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')");
    const refused = open();
    await expect(refused).rejects.toThrow(StoreError);
    await expect(refused).rejects.toThrow(
      `schema version 99, newer than this release knows (${POSTGRES_MIGRATIONS.length})`,
    );
  });

  it('upgrades a database from the first schema without losing its advice sessions', async () => {
    await (await open({ migrations: POSTGRES_MIGRATIONS.slice(0, 1) })).close();
    await schema.query(
      `INSERT INTO advice_sessions (id, team_id, user_id, channel_id, created_at, answers, recommendation, verdict)
       VALUES ('s1', 'T1', 'U1', 'C1', '2026-11-01T00:00:00Z', '{}', '{}', 'fine-tune')`,
    );
    const upgraded = await open();
    expect((await upgraded.getAdviceSession('s1'))?.teamId).toBe('T1');
    expect((await upgraded.createJob(job())).phase).toBe('starting');
    expect(await upgraded.tryLease('monitor', 'me', 1000)).toBe(true);
  });

  it('stops a start with one line naming where it could not connect, never the password', async () => {
    // A port nothing listens on: taken and given back.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const url = `postgres://bot:hunter2-secret@127.0.0.1:${port}/bot`;
    const refused = await openStoreOrExplain(
      { kind: 'postgres', url },
      { logger: silent, tuning: { retryDelaysMs: [] } },
    ).catch((error: unknown) => error as Error);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as Error).message).toBe(
      `DATABASE_URL: cannot use PostgreSQL at 127.0.0.1:${port}/bot (connection refused: is it running, and on that port?); start it or fix DATABASE_URL`,
    );

    const missing = new URL(schema.url);
    missing.password = 'hunter2-secret';
    missing.pathname = '/ftbot_no_such_database';
    const noDb = await openStoreOrExplain({ kind: 'postgres', url: missing.toString() }, { logger: silent }).catch(
      (error: unknown) => error as Error,
    );
    expect((noDb as Error).message).toMatch(/^DATABASE_URL: cannot use PostgreSQL at [^ ]+\/ftbot_no_such_database \(/);
    expect((noDb as Error).message).toContain('database "ftbot_no_such_database" does not exist');
    for (const e of [refused, noDb]) expect(`${(e as Error).message}\n${(e as Error).stack}`).not.toContain('hunter2');
  });
}
