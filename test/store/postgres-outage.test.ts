import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startHealthServer } from '../../src/health.ts';
import { closeServer } from '../../src/startup.ts';
import type { Store, StoreLogger } from '../../src/store/index.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { createTestSchema, describePostgres, TEST_POSTGRES_URL, type TestSchema } from '../support/postgres.ts';
import { job } from './contract-fixtures.ts';

/**
 * A PostgreSQL that goes away while the bot runs: a TCP proxy between the store and the server is
 * cut (every connection dropped, the port closed) and restored, and the server itself terminates
 * the store's connections. The store must reject meanwhile, log, never crash, and come back.
 */

/** A proxy to the test server; `cut` drops every connection and closes the port, `restore` reopens it. */
async function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = createConnection(target);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  return {
    port,
    async cut() {
      const closed = new Promise<void>((resolve) => server?.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: listen,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

function recorder() {
  const lines: string[] = [];
  const logger: StoreLogger = { warn: (_fields, msg) => lines.push(msg) };
  return { lines, logger };
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const health = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

describePostgres('the PostgreSQL store while the server goes away', () => {
  let schema: TestSchema;
  let store: Store | undefined;
  let cleanup: Array<() => Promise<unknown>>;
  beforeEach(async () => {
    schema = await createTestSchema();
    cleanup = [];
  });
  afterEach(async () => {
    for (const undo of cleanup.reverse()) await undo();
    await store?.close();
    store = undefined;
    await schema.drop();
  });

  it('rejects and answers 503 while cut off, logs, keeps every job, and is back once the server is', async () => {
    const server = new URL(TEST_POSTGRES_URL);
    const proxy = await tcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    cleanup.push(() => proxy.close());
    const url = new URL(schema.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const { lines, logger } = recorder();
    store = await openPostgresStore(url.toString(), { logger, tuning: { retryDelaysMs: [20, 20] } });
    const s = store;
    const healthServer: HttpServer = await startHealthServer(s, 0);
    cleanup.push(() => closeServer(healthServer));
    const port = (healthServer.address() as AddressInfo).port;

    const created = await s.createJob(job());
    await s.updateJob(created.id, { phase: 'running', providerJobId: 'ftjob-1', progress: { step: 5 } });
    await Promise.all([s.getJob(created.id), s.listActiveJobs(), s.lossPoints(created.id)]); // idle connections
    expect(await health(port)).toBe(200);

    await proxy.cut();
    // Heard of with no query running: the pool's 'error' event, logged, and no crash.
    await until('the lost idle connections to be told', async () =>
      lines.includes('lost an idle PostgreSQL connection; the next query opens another'),
    );
    await expect(s.ping()).rejects.toThrow();
    expect(await health(port)).toBe(503);
    // What the monitor would write now fails, loudly, and leaves the record as it was.
    await expect(s.updateJob(created.id, { progress: { step: 9 } }, ['running'])).rejects.toThrow();
    await expect(s.addLossPoints(created.id, [{ step: 9, trainLoss: 1 }])).rejects.toThrow();
    await expect(s.claimNotice(created.id, 'status:running', 'me', '2000-01-01')).rejects.toThrow();
    expect(lines).toContain('PostgreSQL is not answering; trying again');

    await proxy.restore();
    await until('/healthz to answer 200 again', async () => (await health(port)) === 200);
    expect(await s.getJob(created.id)).toMatchObject({ phase: 'running', progress: { step: 5 } });
    // The next tick's retry lands.
    expect(await s.updateJob(created.id, { progress: { step: 9 } }, ['running'])).toMatchObject({
      progress: { step: 9 },
    });
    expect(await s.claimNotice(created.id, 'status:running', 'me', '2000-01-01')).toBe('new');
  });

  it('recovers when the server terminates its connections (a failover, a restart)', async () => {
    const app = `ftbot_outage_${randomBytes(4).toString('hex')}`;
    const url = new URL(schema.url);
    url.searchParams.set('application_name', app); // so only this store's connections are terminated
    store = await openPostgresStore(url.toString(), { logger: recorder().logger });
    const s = store;
    const { id } = await s.createJob(job());
    await Promise.all([s.getJob(id), s.getJob(id), s.listActiveJobs()]);

    const killed = await schema.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    // At once, before the pool has heard of every dead connection: reads and whole transactions
    // lost before their COMMIT are tried again on another connection.
    expect((await s.getJob(id))?.id).toBe(id);
    await expect(s.ping()).resolves.toBeUndefined();
    expect(await s.claimNotice(id, 'message', 'me', '2000-01-01')).toBe('new');
    // A single write is not repeated by the store (it may have run); its caller's next try lands.
    await until('a write to land', async () => (await s.updateJob(id, { phase: 'queued' })) !== undefined);
    expect((await s.listActiveJobs()).map((j) => j.phase)).toEqual(['queued']);
    expect((await s.notice(id, 'message'))?.owner).toBe('me');
  });
});
