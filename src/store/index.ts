import type { DatabaseTarget } from '../config/index.ts';
import { openPostgresStore } from './postgres.ts';
import type { PoolTuning, StoreLogger } from './postgres-pool.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export { StoreError } from './errors.ts';
export type { StoreLogger } from './postgres-pool.ts';
export { postgresWhere, withoutPassword } from './postgres-pool.ts';
export type * from './types.ts';
export { ACTIVE_PHASES, FINISHED_PHASES } from './types.ts';

/** The targets that open at once, in this process: SQLite. */
export type EmbeddedTarget = Exclude<DatabaseTarget, { kind: 'postgres' }>;

export interface StoreOptions {
  /** Stamps job, notice and lease times, so they follow the same clock as the rest of the bot. */
  now?: () => Date;
  /** PostgreSQL: where lost connections and retries are told. */
  logger?: StoreLogger;
  /** PostgreSQL: connection retries and timeouts (tests shorten them). */
  tuning?: PoolTuning;
}

/**
 * Opens an embedded (SQLite) store, synchronously: scripts and tests that know they want SQLite keep
 * a one-line open. What the configuration names, PostgreSQL included, opens with openStoreAsync.
 */
export function openStore(target: EmbeddedTarget, options: StoreOptions = {}): Store {
  switch (target.kind) {
    case 'sqlite':
      return openSqliteStore({ path: target.path }, options.now);
    case 'sqlite-memory':
      return openSqliteStore({ memory: true }, options.now);
  }
}

/** Opens the store the configuration names; PostgreSQL connects and migrates before it resolves. */
export async function openStoreAsync(target: DatabaseTarget, options: StoreOptions = {}): Promise<Store> {
  if (target.kind !== 'postgres') return openStore(target, options);
  return openPostgresStore(target.url, options);
}
