import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftbot-feeds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const overlay = { azure: { hosting: { global_per_hour: 1.9, as_of: '2026-12-01', source: 'https://prices.example' } } };

describe('the stored price feeds', () => {
  it('keep the last good read across a restart, one row per feed', async () => {
    const path = join(dir, 'bot.db');
    const first = openStore({ kind: 'sqlite', path });
    expect(await first.priceFeed('azure-retail')).toBeUndefined();
    await first.savePriceFeed({ name: 'azure-retail', readAt: '2026-11-30T04:17:00.000Z', source: 'a', overlay: {} });
    await first.savePriceFeed({ name: 'azure-retail', readAt: '2026-12-01T04:17:00.000Z', source: 'b', overlay });
    await first.close();

    const second = openStore({ kind: 'sqlite', path });
    expect(await second.priceFeed('azure-retail')).toEqual({
      name: 'azure-retail',
      readAt: '2026-12-01T04:17:00.000Z',
      source: 'b',
      overlay,
    });
    expect(await second.priceFeed('other')).toBeUndefined();
    await second.close();
  });

  it('treat a row that is not an object as no read at all', async () => {
    const path = join(dir, 'bot.db');
    await openStore({ kind: 'sqlite', path }).close();
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO price_feeds VALUES ('azure-retail', '2026-12-01', 's', '[1,2]')").run();
    db.prepare("INSERT INTO price_feeds VALUES ('broken', '2026-12-01', 's', '{not json')").run();
    db.close();
    const store = openStore({ kind: 'sqlite', path });
    expect(await store.priceFeed('azure-retail')).toBeUndefined();
    expect(await store.priceFeed('broken')).toBeUndefined();
    await store.close();
  });
});
