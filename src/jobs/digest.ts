import type { SpendRow, Store } from '../store/types.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface DigestData {
  from: string;
  to: string;
  thisWeek: SpendRow[];
  weekBefore: SpendRow[];
}

/**
 * The weekly digest's figures: the seven days up to now against the seven before, across the
 * workspace (the digest channel is for the whole team). Trailing windows rather than calendar
 * weeks, so a digest scheduled on any day compares like with like.
 */
export async function digestData(store: Store, now: Date): Promise<DigestData> {
  const to = now.toISOString();
  const from = new Date(now.getTime() - WEEK_MS).toISOString();
  const before = new Date(now.getTime() - 2 * WEEK_MS).toISOString();
  const [thisWeek, weekBefore] = await Promise.all([
    store.spendByProvider({ from, to }),
    store.spendByProvider({ from: before, to: from }),
  ]);
  return { from, to, thisWeek, weekBefore };
}

/** The first instant of the month `now` falls in (UTC), for month-to-date spend. */
export function monthStart(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
}
