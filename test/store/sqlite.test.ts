import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, openStoreAsync, StoreError } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { migrate } from '../../src/store/sqlite.ts';
import { storeContract } from './contract.ts';
import { job, session } from './contract-fixtures.ts';

storeContract({
  name: 'SQLite',
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'ftbot-store-'));
    const path = join(dir, 'nested', 'bot.db');
    return {
      // Through the async open the bot uses, which for SQLite is the sync one.
      open: (options) => openStoreAsync({ kind: 'sqlite', path }, options),
      async exec(sql) {
        const db = new DatabaseSync(path);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftbot-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the SQLite store’s own ways', () => {
  it('keeps everything in memory for sqlite::memory:, opened at once', async () => {
    const store = openStore({ kind: 'sqlite-memory' });
    expect(store.kind).toBe('sqlite');
    const saved = await store.saveAdviceSession(session());
    expect((await store.getAdviceSession(saved.id))?.id).toBe(saved.id);
    await store.close();
  });

  it('migrates once and records each version', () => {
    const db = new DatabaseSync(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
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

  it('upgrades a database from the first schema without losing its advice sessions', async () => {
    const path = join(dir, 'old.db');
    const db = new DatabaseSync(path);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare(
      `INSERT INTO advice_sessions (id, team_id, user_id, channel_id, created_at, answers, recommendation, verdict)
       VALUES ('s1', 'T1', 'U1', 'C1', '2026-11-01T00:00:00Z', '{}', '{}', 'fine-tune')`,
    ).run();
    db.close();
    const upgraded = openStore({ kind: 'sqlite', path });
    expect((await upgraded.getAdviceSession('s1'))?.teamId).toBe('T1');
    expect((await upgraded.createJob(job())).phase).toBe('starting');
    expect(await upgraded.tryLease('monitor', 'me', 1000)).toBe(true);
    await upgraded.close();
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

  it('says clearly when the file cannot be opened', async () => {
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    const path = join(dir, 'a-file', 'bot.db');
    expect(() => openStore({ kind: 'sqlite', path })).toThrow(`cannot open the SQLite database at ${path}`);
    await expect(openStoreAsync({ kind: 'sqlite', path })).rejects.toThrow(StoreError);
  });
});
