import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Answers } from '../../src/advisor/questionnaire.ts';
import { recommend } from '../../src/advisor/recommend.ts';
import { openStore, StoreError } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { migrate } from '../../src/store/sqlite.ts';

const answers: Answers = {
  useCase: 'Ticket triage',
  taskType: 'classification',
  examples: 2500,
  dataVolume: 'medium',
  specialization: 'medium',
  latency: 'flexible',
  sensitivity: 'internal',
  monthlyTokens: 1e7,
  tried: ['prompting'],
  knowledgeChange: 'rarely',
};
const session = (userId = 'U1', teamId = 'T1') => ({
  teamId,
  userId,
  channelId: 'C1',
  answers,
  recommendation: recommend(answers, new Date('2026-11-23T00:00:00Z')),
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftbot-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the SQLite store', () => {
  it('keeps advice sessions across a restart', async () => {
    const path = join(dir, 'nested', 'bot.db');
    const first = openStore({ kind: 'sqlite', path });
    const saved = await first.saveAdviceSession(session());
    await first.recordDelivery(saved.id, { via: 'channel', channelId: 'C1', messageTs: '1.2' });
    await first.close();

    const second = openStore({ kind: 'sqlite', path });
    const loaded = await second.getAdviceSession(saved.id);
    expect(loaded).toEqual({ ...saved, delivery: { via: 'channel', channelId: 'C1', messageTs: '1.2' } });
    expect(loaded?.recommendation.verdict).toBe('fine_tune');
    await second.close();
  });

  it('lists a person’s sessions newest first, and a team’s', async () => {
    const store = openStore({ kind: 'sqlite-memory' });
    const a = await store.saveAdviceSession(session('U1'));
    const b = await store.saveAdviceSession(session('U2'));
    const c = await store.saveAdviceSession(session('U1'));
    await store.saveAdviceSession(session('U1', 'T2'));
    expect((await store.listAdviceSessions({ teamId: 'T1', userId: 'U1', limit: 10 })).map((s) => s.id)).toEqual([
      c.id,
      a.id,
    ]);
    expect((await store.listAdviceSessions({ teamId: 'T1', limit: 2 })).map((s) => s.id)).toEqual([c.id, b.id]);
    await store.close();
  });

  it('refuses to record a delivery for a session it does not have', async () => {
    const store = openStore({ kind: 'sqlite-memory' });
    await expect(store.recordDelivery('nope', { via: 'failed', note: 'x' })).rejects.toThrow('no advice session nope');
    await store.close();
  });

  it('answers ping while open and fails it once closed', async () => {
    const store = openStore({ kind: 'sqlite-memory' });
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });

  it('migrates once and records each version', () => {
    const db = new DatabaseSync(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    expect(MIGRATIONS.slice(0, 4).map((m) => m.name)).toEqual([
      'advice_sessions',
      'jobs',
      'notices_confirmed',
      'price_feeds',
    ]);
  });

  it('rolls a failing migration back whole and says which one failed', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db);
    const next = MIGRATIONS.length + 1;
    const broken = [
      ...MIGRATIONS,
      { version: next, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM missing_table;' },
    ];
    expect(() => migrate(db, broken)).toThrow(
      new RegExp(`migration ${next} \\(broken\\) failed: no such table: missing_table`),
    );
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: MIGRATIONS.length });
  });

  it('does not migrate while another process holds the write lock, and says so', () => {
    const path = join(dir, 'locked.db');
    const holder = new DatabaseSync(path);
    holder.exec('PRAGMA journal_mode = WAL; BEGIN IMMEDIATE; CREATE TABLE t (x)');
    const db = new DatabaseSync(path);
    db.exec('PRAGMA busy_timeout = 50');
    expect(() => migrate(db)).toThrow(/reading the schema version failed: database is locked/);
    holder.exec('ROLLBACK');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    holder.close();
    db.close();
  });

  it('keeps an answer whose channel Slack did not say', async () => {
    const store = openStore({ kind: 'sqlite', path: join(dir, 'bot.db') });
    const saved = await store.saveAdviceSession({ ...session(), channelId: null });
    expect((await store.getAdviceSession(saved.id))?.channelId).toBeNull();
    await store.close();
  });

  it('refuses a database written by a newer release', async () => {
    const path = join(dir, 'bot.db');
    const db = new DatabaseSync(path);
    migrate(db);
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')").run();
    db.close();
    expect(() => openStore({ kind: 'sqlite', path })).toThrow(StoreError);
    expect(() => openStore({ kind: 'sqlite', path })).toThrow(
      `schema version 99, newer than this release knows (${MIGRATIONS.length})`,
    );
  });

  it('says clearly when the file cannot be opened', () => {
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    const path = join(dir, 'a-file', 'bot.db');
    expect(() => openStore({ kind: 'sqlite', path })).toThrow(`cannot open the SQLite database at ${path}`);
  });
});
