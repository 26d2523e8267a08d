import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startBot } from '../../src/main.ts';
import { openStore } from '../../src/store/index.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { postSigned } from '../support/slack-request.ts';
import { adviceSubmission, SECRET } from './harness.ts';

const slack = new FakeSlack();
let dir: string;
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => {
  slack.reset();
  dir = mkdtempSync(join(tmpdir(), 'ftbot-life-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

const silent = createLogger('silent');
const config = (env: Record<string, string>) =>
  loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-life',
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
    AZURE_RETAIL_PRICES_URL: 'off', // tests never reach prices.azure.com
    ...env,
  });

async function listen(port = 0): Promise<Server> {
  const server = createServer((_req, res) => res.end());
  server.listen(port, '::');
  await once(server, 'listening');
  return server;
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('starting and stopping', () => {
  it('names PORT when it is taken, and leaves nothing open behind', async () => {
    const holder = await listen();
    const port = portOf(holder);
    try {
      const start = startBot(config({ SLACK_SIGNING_SECRET: SECRET, PORT: String(port) }), { logger: silent });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(`PORT ${port} is already in use; stop what holds it or set another PORT`);
    } finally {
      await close(holder);
    }
    // The store was closed again: another process can take the database's write lock at once.
    const store = openStore({ kind: 'sqlite', path: join(dir, 'bot.db') });
    await store.close();
  });

  it('names PRICES_FILE and the bad entry when the prices file is wrong, before opening anything', async () => {
    const file = join(dir, 'prices.json');
    writeFileSync(file, '{"gpus": {"H100-80GB": {"hourly_usd": -3}}}');
    const start = startBot(config({ SLACK_SIGNING_SECRET: SECRET, PORT: '0', PRICES_FILE: file }), { logger: silent });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(
      new RegExp(`^PRICES_FILE .*${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*gpus`),
    );
    expect(slack.calls).toEqual([]);
  });

  it('names SLACK_APP_TOKEN when Slack refuses it, and frees the health port', async () => {
    slack.on('apps.connections.open', () => ({ ok: false, error: 'invalid_auth' }));
    const probe = await listen();
    const port = portOf(probe);
    await close(probe);
    const start = startBot(config({ SLACK_APP_TOKEN: 'xapp-1-refused', PORT: String(port) }), { logger: silent });
    await expect(start).rejects.toThrow(
      'SLACK_APP_TOKEN was refused by Slack (invalid_auth); create an app-level token with connections:write again',
    );
    await close(await listen(port));
  });

  it('lets acked work finish before it closes the store on shutdown', async () => {
    const bot = await startBot(config({ SLACK_SIGNING_SECRET: SECRET, PORT: '0' }), { logger: silent });
    let release: () => void = () => {};
    const posted = new Promise<void>((resolve) => {
      release = resolve;
    });
    slack.on('chat.postMessage', async (args) => {
      await posted;
      return { ok: true, channel: args.channel, ts: '5.5' };
    });
    const res = await postSigned(`http://127.0.0.1:${bot.port}/slack/events`, adviceSubmission(), SECRET);
    expect(res.status).toBe(200);
    await slack.waitFor('chat.postMessage');
    const stopped = bot.stop();
    setTimeout(release, 200);
    await stopped;
    const store = openStore({ kind: 'sqlite', path: join(dir, 'bot.db') });
    const [session] = await store.listAdviceSessions({ teamId: 'T0001', limit: 1 });
    await store.close();
    expect(session?.delivery).toEqual({ via: 'channel', channelId: 'C0CHAN', messageTs: '5.5' });
  });
});
