import { expect, it } from 'vitest';
import { type ContractContext, job, testClock } from './contract-fixtures.ts';

const LONG_AGO = '2000-01-01T00:00:00.000Z';

/** Notice claims, seen Slack requests and leases, on any backend: who wins, and when a claim passes on. */
export function claimContract(t: ContractContext): void {
  it('lets a notice be claimed once, and again only after it is released', async () => {
    const store = await t.open();
    const { id } = await store.createJob(job());
    expect(await store.claimNotice(id, 'status:running', 'me', LONG_AGO)).toBe('new');
    expect(await store.claimNotice(id, 'status:running', 'other', LONG_AGO)).toBe('held');
    await store.releaseNotice(id, 'status:running', 'other'); // not theirs to give back
    expect(await store.claimNotice(id, 'status:running', 'other', LONG_AGO)).toBe('held');
    await store.releaseNotice(id, 'status:running', 'me');
    expect(await store.claimNotice(id, 'status:running', 'other', LONG_AGO)).toBe('new');
  });

  it('says a confirmed notice is sent, to everyone, with the ts it went out as', async () => {
    const store = await t.open();
    const { id } = await store.createJob(job());
    expect(await store.claimNotice(id, 'finished', 'me', LONG_AGO)).toBe('new');
    await store.confirmNotice(id, 'finished', '1700000000.000200');
    await store.releaseNotice(id, 'finished', 'me'); // a confirmed notice is never given back
    expect(await store.claimNotice(id, 'finished', 'other', '2999-01-01T00:00:00.000Z')).toBe('sent');
    expect(await store.notice(id, 'finished')).toMatchObject({ key: 'finished', ts: '1700000000.000200' });
    expect(await store.notice(id, 'never')).toBeUndefined();
  });

  it('hands a claim left unconfirmed past its lease to one other owner: the one to look it up', async () => {
    const clock = testClock();
    const store = await t.open({ now: clock.now });
    const { id } = await store.createJob(job());
    await store.claimNotice(id, 'message', 'dead', clock.ago(60_000));
    clock.advance(30_000);
    // Within the lease the dead owner might still be posting: left alone.
    expect(await store.claimNotice(id, 'message', 'a', clock.ago(60_000))).toBe('held');
    clock.advance(31_000);
    expect(await store.claimNotice(id, 'message', 'a', clock.ago(60_000))).toBe('orphaned');
    // Taken over now: b must wait for a's lease in turn.
    expect(await store.claimNotice(id, 'message', 'b', clock.ago(60_000))).toBe('held');
    expect((await store.notice(id, 'message'))?.owner).toBe('a');
  });

  it('gives a notice to exactly one of several processes claiming it at once', async () => {
    const first = await t.open();
    const stores = [first, await t.open(), await t.open()];
    const { id } = await first.createJob(job());
    const claims = await Promise.all(stores.map((s, i) => s.claimNotice(id, 'message', `owner-${i}`, LONG_AGO)));
    expect(claims.filter((c) => c === 'new')).toHaveLength(1);
    expect(claims.filter((c) => c === 'held')).toHaveLength(2);
  });

  it('takes an orphaned claim over for exactly one of several processes at once', async () => {
    const clock = testClock();
    const first = await t.open({ now: clock.now });
    const stores = [first, await t.open({ now: clock.now }), await t.open({ now: clock.now })];
    const { id } = await first.createJob(job());
    await first.claimNotice(id, 'message', 'dead', clock.ago(60_000));
    clock.advance(61_000);
    const claims = await Promise.all(
      stores.map((s, i) => s.claimNotice(id, 'message', `owner-${i}`, clock.ago(60_000))),
    );
    expect(claims.filter((c) => c === 'orphaned')).toHaveLength(1);
    expect(claims.filter((c) => c === 'held')).toHaveLength(2);
  });

  it('sees a Slack request id once, across processes, and forgets it after a day', async () => {
    const clock = testClock();
    const a = await t.open({ now: clock.now });
    const b = await t.open({ now: clock.now });
    expect(await a.claimRequest('try:V1')).toBe(true);
    expect(await b.claimRequest('try:V1')).toBe(false);
    expect(await a.claimRequest('try:V2')).toBe(true);
    const twins = await Promise.all([a.claimRequest('try:V3'), b.claimRequest('try:V3')]);
    expect(twins.filter(Boolean)).toHaveLength(1);
    clock.advance(25 * 3600 * 1000);
    expect(await b.claimRequest('try:V1')).toBe(true);
  });

  it('leases a name to one owner at a time, renewed by that owner, free again once expired or released', async () => {
    const clock = testClock();
    const store = await t.open({ now: clock.now });
    expect(await store.tryLease('monitor', 'a', 30_000)).toBe(true);
    expect(await store.tryLease('monitor', 'b', 30_000)).toBe(false);
    expect(await store.tryLease('digest', 'b', 30_000)).toBe(true); // another name is another lease
    clock.advance(20_000);
    expect(await store.tryLease('monitor', 'a', 30_000)).toBe(true); // renewed: now until +50 s
    clock.advance(20_000);
    expect(await store.tryLease('monitor', 'b', 30_000)).toBe(false); // past the first ttl, within the renewal
    clock.advance(10_000);
    expect(await store.tryLease('monitor', 'b', 30_000)).toBe(true); // expired: b's now
    expect(await store.tryLease('monitor', 'a', 30_000)).toBe(false);
    await store.releaseLease('monitor', 'a'); // not a's to give back
    expect(await store.tryLease('monitor', 'a', 30_000)).toBe(false);
    await store.releaseLease('monitor', 'b');
    expect(await store.tryLease('monitor', 'a', 30_000)).toBe(true);
  });

  it('gives a free lease to exactly one of several processes asking at once', async () => {
    const stores = [await t.open(), await t.open(), await t.open()];
    for (let round = 0; round < 3; round++) {
      const won = await Promise.all(stores.map((s, i) => s.tryLease(`sweep-${round}`, `owner-${i}`, 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });
}
