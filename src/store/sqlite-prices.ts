import type { DatabaseSync } from 'node:sqlite';
import { type PriceFeedRow, toPriceFeed } from './rows.ts';
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
      return toPriceFeed(byName.get(name) as PriceFeedRow | undefined);
    },
  };
}
