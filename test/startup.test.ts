import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCostText } from '../src/cli/format-cost.ts';
import type { Logger } from '../src/logger.ts';
import { compareCosts } from '../src/reports/cost-comparison.ts';
import { AZURE_FEED, azurePriceFeed, loadLivePrices } from '../src/startup.ts';
import { openStore } from '../src/store/index.ts';
import type { Store } from '../src/store/types.ts';

const fixture = (n: number) =>
  readFileSync(new URL(`./fixtures/azure/retail-prices.page${n}.json`, import.meta.url), 'utf8');
const NOW = new Date('2026-12-01T04:17:00Z');

/** A logger that keeps what it was told, to check that a failure is said (once) and why. */
function recorder() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const log = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, msg, fields });
  return { lines, logger: { info: log('info'), warn: log('warn'), debug: log('debug') } as unknown as Logger };
}

let dir: string;
let servers: Server[];
let stores: Store[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftbot-feed-'));
  servers = [];
  stores = [];
});
afterEach(async () => {
  for (const s of stores) await s.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

async function server(body: (base: string, url: string) => string | undefined): Promise<string> {
  const s = createServer((req, res) => {
    const answer = body(base, req.url ?? '');
    if (answer === undefined) req.socket.destroy();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/retail/prices`;
  return base;
}
const azurePages = (base: string, url: string) =>
  url.includes('$skip=1000') ? fixture(2) : fixture(1).replace('https://prices.azure.com:443/api/retail/prices', base);

function store(): Store {
  const s = openStore({ kind: 'sqlite', path: join(dir, 'bot.db') });
  stores.push(s);
  return s;
}

/** The CLI's and Slack's comparison on Azure's two tiers, as text. */
function azureComparison(prices: ReturnType<typeof loadLivePrices>['prices']): string {
  const options = [
    { provider: 'azure', tier: 'global', model: 'gpt-4.1-mini-2025-04-14' },
    { provider: 'azure', tier: 'developer', model: 'gpt-4.1-mini-2025-04-14' },
  ] as const;
  const c = compareCosts(
    { trainingTokens: 1e6, epochs: 2, monthlyInputTokens: 0, monthlyOutputTokens: 0, options: [...options] },
    prices,
    NOW,
  );
  const { chart: _chart, ...data } = c;
  return formatCostText(data);
}

describe('the Azure price feed, read at start and on its schedule', () => {
  it('keeps the catalogue’s figures, says why once, and the cost comparison says placeholder, with no network', async () => {
    const base = await server(() => undefined); // drops every connection
    const live = loadLivePrices(undefined);
    const { lines, logger } = recorder();
    const feed = azurePriceFeed({ store: store(), live, logger, now: () => NOW, url: base });
    const before = structuredClone(live.prices);
    expect(await feed.refresh()).toMatchObject({ ok: false, reason: expect.stringMatching(/could not be reached/) });
    expect(live.prices).toEqual(before);
    expect(live.feed).toBeUndefined();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({ msg: "Azure retail prices not read; keeping the catalogue's figures" }),
    ]);
    const text = azureComparison(live.prices);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Global\)\s+≈ \$0\.80 \(placeholder rate\)/);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Developer\)\s+≈ \$0\.40 \(placeholder rate\)/);
  });

  it('applies a good read, keeps it in the store, and a restart without network starts from it', async () => {
    const base = await server(azurePages);
    const first = loadLivePrices(undefined);
    const s1 = store();
    const feed = azurePriceFeed({ store: s1, live: first, logger: recorder().logger, now: () => NOW, url: base });
    expect(await feed.refresh()).toEqual({ ok: true, figures: 8 });
    expect(first.prices.azure.models['gpt-4.1-mini-2025-04-14']?.training.global_per_1m).toBe(4.4);
    expect((await s1.priceFeed(AZURE_FEED))?.readAt).toBe(NOW.toISOString());
    await s1.close();
    stores.length = 0;

    // The restart: feed off, nothing to read, the stored read applies.
    const second = loadLivePrices(undefined);
    const restarted = azurePriceFeed({ store: store(), live: second, logger: recorder().logger, now: () => NOW });
    expect(await restarted.loadStored()).toBe(true);
    expect(second.prices.azure.models['gpt-4.1-mini-2025-04-14']?.training).toMatchObject({
      global_per_1m: 4.4,
      as_of: '2026-12-01',
    });
    expect(await restarted.refresh()).toEqual({ ok: false, reason: 'AZURE_RETAIL_PRICES_URL is off' });
    const text = azureComparison(second.prices);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Global\)\s+\$8\.80 /); // 2M × $4.40, no mark
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Developer\)\s+≈ \$0\.40 \(placeholder rate\)/);
  });

  it('leaves prices and the stored read alone when the answer is malformed', async () => {
    const good = await server(azurePages);
    const live = loadLivePrices(undefined);
    const s = store();
    await azurePriceFeed({ store: s, live, logger: recorder().logger, now: () => NOW, url: good }).refresh();
    const kept = structuredClone(live.prices);
    const bad = await server(() => '{"Items": "not a list"}');
    const { lines, logger } = recorder();
    const later = new Date('2026-12-02T04:17:00Z');
    const feed = azurePriceFeed({ store: s, live, logger, now: () => later, url: bad });
    expect(await feed.refresh()).toEqual({ ok: false, reason: 'the answer has no Items list' });
    expect(live.prices).toEqual(kept);
    expect((await s.priceFeed(AZURE_FEED))?.readAt).toBe(NOW.toISOString());
    expect(lines.at(-1)?.msg).toBe('Azure retail prices not read; keeping the read of 2026-12-01');
  });
});
