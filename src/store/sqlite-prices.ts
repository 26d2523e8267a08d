import type { DatabaseSync } from 'node:sqlite';
import type { Store } from './types.ts';

/** The price feeds' last good reads (migration 4): one row per feed, replaced by each good read. */
export function sqlitePriceMethods(db: DatabaseSync): Pick<Store, 'savePriceFeed' | 'priceFeed'> {
  const upsert = db.prepare(`INSERT INTO price_feeds (name, read_at, source, overlay) VALUES (?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET read_at = excluded.read_at, source = excluded.source, overlay = excluded.overlay`);
  const byName = db.prepare('SELECT name, read_at, source, overlay FROM price_feeds WHERE name = ?');
  return {
    async savePriceFeed(feed) {
      upsert.run(feed.name, feed.readAt, feed.source, JSON.stringify(feed.overlay));
    },
    async priceFeed(name) {
      const row = byName.get(name) as { name: string; read_at: string; source: string; overlay: string } | undefined;
      if (!row) return undefined;
      let overlay: unknown;
      try {
        overlay = JSON.parse(row.overlay);
      } catch {
        return undefined; // a row nobody can use is as good as none: the catalogue's figures stand
      }
      if (typeof overlay !== 'object' || overlay === null || Array.isArray(overlay)) return undefined;
      return { name: row.name, readAt: row.read_at, source: row.source, overlay: overlay as Record<string, unknown> };
    },
  };
}
