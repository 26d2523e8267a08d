import { afterEach, beforeEach, describe } from 'vitest';
import type { Store, StoreOptions } from '../../src/store/index.ts';
import { claimContract } from './contract-claims.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { jobContract } from './contract-jobs.ts';
import { recordContract } from './contract-records.ts';

/**
 * The one store suite: every backend runs it (sqlite.test.ts, postgres.test.ts), so SQLite and
 * PostgreSQL cannot drift apart in what they answer.
 */

/** A database of one test's own: a fresh SQLite file, a fresh PostgreSQL schema. */
export interface TestDatabase {
  /** A store on this database; every call opens another (a restart, or a second replica). */
  open(options?: StoreOptions): Promise<Store>;
  /** Raw SQL on it, for rows the store itself would never write. */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

export interface Backend {
  name: string;
  fresh(): Promise<TestDatabase>;
}

export function storeContract(backend: Backend): void {
  // The hooks live inside the suite's own describe, so a file's other tests are not handed a database.
  describe(`the ${backend.name} store`, () => {
    let db: TestDatabase;
    let opened: Store[] = [];
    beforeEach(async () => {
      db = await backend.fresh();
      opened = [];
    });
    afterEach(async () => {
      for (const s of opened) await s.close();
      await db.drop();
    });
    const ctx: ContractContext = {
      async open(options) {
        const store = await db.open(options);
        opened.push(store);
        return store;
      },
      exec: (sql) => db.exec(sql),
    };
    describe('advice sessions, price feeds, ping', () => recordContract(ctx));
    describe('jobs', () => jobContract(ctx));
    describe('notices, Slack requests and leases', () => claimContract(ctx));
  });
}
