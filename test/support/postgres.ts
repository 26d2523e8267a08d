import { randomBytes } from 'node:crypto';
import { Client, type QueryResult } from 'pg';
import { describe, it } from 'vitest';
import { postgresWhere } from '../../src/store/postgres-pool.ts';

/**
 * The PostgreSQL the tests use: FTBOT_TEST_POSTGRES_URL, or the local one that .ci/run starts. Each
 * test gets a schema of its own (createTestSchema), so test files running side by side, and runs on
 * one server, never see each other's rows.
 */
export const TEST_POSTGRES_URL = process.env.FTBOT_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

async function probe(): Promise<string | undefined> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why the tests cannot reach PostgreSQL, or undefined when they can; asked once per test file. */
export const postgresUnavailable = await probe();

/**
 * `describe` for tests that need PostgreSQL. Without one they fail in CI (a CI that lost its
 * database must not go green) and are skipped elsewhere, saying why.
 */
export function describePostgres(name: string, fn: () => void): void {
  if (postgresUnavailable === undefined) {
    describe(name, fn);
    return;
  }
  const why = `PostgreSQL at ${postgresWhere(TEST_POSTGRES_URL)} is not reachable (${postgresUnavailable})`;
  if (inCI) {
    describe(name, () => {
      it('needs PostgreSQL', () => {
        throw new Error(`${why}; .ci/run starts the local one, FTBOT_TEST_POSTGRES_URL names another`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${why}; start it or set FTBOT_TEST_POSTGRES_URL`);
  describe.skip(name, fn);
}

/** `url` with every connection's search_path set to `schema` (libpq's options parameter). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface TestSchema {
  name: string;
  /** The server's URL with this schema as every connection's search_path. */
  url: string;
  /** Raw SQL in the schema, from a connection of the helper's own. */
  query(sql: string, values?: unknown[]): Promise<QueryResult>;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

export async function createTestSchema(): Promise<TestSchema> {
  const name = `ftbot_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  // A test may terminate every backend of the schema's user, this one included.
  admin.on('error', () => {});
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.query(`SET search_path TO ${name}`);
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: withSearchPath(TEST_POSTGRES_URL, name),
    query: (sql, values) => admin.query(sql, values),
    drop() {
      dropped ??= (async () => {
        // Through a fresh connection: the helper's own may be one a test terminated.
        const cleaner = new Client({ connectionString: TEST_POSTGRES_URL });
        cleaner.on('error', () => {});
        await cleaner.connect();
        try {
          await cleaner.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        } finally {
          await cleaner.end().catch(() => {});
          await admin.end().catch(() => {});
        }
      })();
      return dropped;
    },
  };
}
