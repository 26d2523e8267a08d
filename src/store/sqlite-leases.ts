import type { DatabaseSync } from 'node:sqlite';
import type { Store } from './types.ts';

/**
 * Named leases (migration 5): one upsert whose WHERE admits only a free, expired or own lease, so of
 * two processes asking at once exactly one gets it (postgres-notices.ts runs the same statement).
 */
export function sqliteLeaseMethods(db: DatabaseSync, now: () => Date): Pick<Store, 'tryLease' | 'releaseLease'> {
  const take = db.prepare(`INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
    WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`);
  const release = db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
  return {
    async tryLease(name, owner, ttlMs) {
      const at = now();
      return take.run(name, owner, new Date(at.getTime() + ttlMs).toISOString(), at.toISOString()).changes === 1;
    },
    async releaseLease(name, owner) {
      release.run(name, owner);
    },
  };
}
