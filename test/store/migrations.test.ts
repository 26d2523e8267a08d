import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations-postgres.ts';

describe('the migrations of both backends', () => {
  it('have the same versions and names, in order, from 1 without gaps', () => {
    const list = (ms: typeof MIGRATIONS) => ms.map(({ version, name }) => ({ version, name }));
    expect(list(POSTGRES_MIGRATIONS)).toEqual(list(MIGRATIONS));
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(MIGRATIONS.map((m) => m.name)).toEqual([
      'advice_sessions',
      'jobs',
      'notices_confirmed',
      'price_feeds',
      'leases',
    ]);
  });

  it('create the same tables in both', () => {
    const tables = (ms: typeof MIGRATIONS) =>
      ms.flatMap((m) => [...m.sql.matchAll(/CREATE TABLE (\w+)/g)].map((match) => match[1])).sort();
    expect(tables(POSTGRES_MIGRATIONS)).toEqual(tables(MIGRATIONS));
  });
});
