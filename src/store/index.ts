import type { DatabaseTarget } from '../config.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export { StoreError } from './sqlite.ts';
export type * from './types.ts';
export { ACTIVE_PHASES, FINISHED_PHASES } from './types.ts';

/** Opens the store the configuration names; PostgreSQL joins here when it is supported. */
export function openStore(target: DatabaseTarget, options: { now?: () => Date } = {}): Store {
  switch (target.kind) {
    case 'sqlite':
      return openSqliteStore({ path: target.path }, options.now);
    case 'sqlite-memory':
      return openSqliteStore({ memory: true }, options.now);
  }
}
