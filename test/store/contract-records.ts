import { expect, it } from 'vitest';
import { type ContractContext, session } from './contract-fixtures.ts';

/** Advice sessions, price feeds and ping, on any backend. */
export function recordContract(t: ContractContext): void {
  it('keeps advice sessions across a restart', async () => {
    const first = await t.open();
    const saved = await first.saveAdviceSession(session());
    await first.recordDelivery(saved.id, { via: 'channel', channelId: 'C1', messageTs: '1.2' });
    await first.close();

    const second = await t.open();
    const loaded = await second.getAdviceSession(saved.id);
    expect(loaded).toEqual({ ...saved, delivery: { via: 'channel', channelId: 'C1', messageTs: '1.2' } });
    expect(loaded?.recommendation.verdict).toBe('fine_tune');
  });

  it('lists a person’s sessions newest first, and a team’s', async () => {
    const store = await t.open();
    const a = await store.saveAdviceSession(session('U1'));
    const b = await store.saveAdviceSession(session('U2'));
    const c = await store.saveAdviceSession(session('U1'));
    await store.saveAdviceSession(session('U1', 'T2'));
    expect((await store.listAdviceSessions({ teamId: 'T1', userId: 'U1', limit: 10 })).map((s) => s.id)).toEqual([
      c.id,
      a.id,
    ]);
    expect((await store.listAdviceSessions({ teamId: 'T1', limit: 2 })).map((s) => s.id)).toEqual([c.id, b.id]);
  });

  it('refuses to record a delivery for a session it does not have', async () => {
    const store = await t.open();
    await expect(store.recordDelivery('nope', { via: 'failed', note: 'x' })).rejects.toThrow('no advice session nope');
  });

  it('keeps an answer whose channel Slack did not say', async () => {
    const store = await t.open();
    const saved = await store.saveAdviceSession({ ...session(), channelId: null });
    expect((await store.getAdviceSession(saved.id))?.channelId).toBeNull();
  });

  it('answers ping while open and fails it once closed', async () => {
    const store = await t.open();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
    await store.close(); // a second close is harmless: shutdown paths may both close
  });

  const overlay = {
    azure: { hosting: { global_per_hour: 1.9, as_of: '2026-12-01', source: 'https://prices.example' } },
  };

  it('keeps the last good price feed read across a restart, one row per feed', async () => {
    const first = await t.open();
    expect(await first.priceFeed('azure-retail')).toBeUndefined();
    await first.savePriceFeed({ name: 'azure-retail', readAt: '2026-11-30T04:17:00.000Z', source: 'a', overlay: {} });
    await first.savePriceFeed({ name: 'azure-retail', readAt: '2026-12-01T04:17:00.000Z', source: 'b', overlay });
    await first.close();

    const second = await t.open();
    expect(await second.priceFeed('azure-retail')).toEqual({
      name: 'azure-retail',
      readAt: '2026-12-01T04:17:00.000Z',
      source: 'b',
      overlay,
    });
    expect(await second.priceFeed('other')).toBeUndefined();
  });

  it('treats a price feed row that is not an object as no read at all', async () => {
    await (await t.open()).close();
    await t.exec("INSERT INTO price_feeds VALUES ('azure-retail', '2026-12-01', 's', '[1,2]')");
    await t.exec("INSERT INTO price_feeds VALUES ('broken', '2026-12-01', 's', '{not json')");
    const store = await t.open();
    expect(await store.priceFeed('azure-retail')).toBeUndefined();
    expect(await store.priceFeed('broken')).toBeUndefined();
  });
}
