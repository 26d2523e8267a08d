import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchRetailPrices, retailFilter, retailPricesUrl } from '../../../src/providers/azure/retail-prices.ts';

/** A stand-in for prices.azure.com on a local port: no test reaches the internet. */
const servers: Server[] = [];
async function serve(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<string> {
  const server = createServer((req, res) => handler(req, res, base));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/retail/prices`;
  return base;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const fixture = (n: number) =>
  readFileSync(new URL(`../../fixtures/azure/retail-prices.page${n}.json`, import.meta.url), 'utf8');

/** The recorded-shaped pages, the first one's NextPageLink pointed at this server. */
function pages(seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse, base: string) => {
    seen.push(req.url ?? '');
    const second = (req.url ?? '').includes('$skip=1000');
    const body = second ? fixture(2) : fixture(1).replace('https://prices.azure.com:443/api/retail/prices', base);
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
}

describe('reading Azure’s Retail Prices API', () => {
  it('asks for Azure OpenAI’s pay-as-you-go meters of one region, and follows NextPageLink to the end', async () => {
    const seen: string[] = [];
    const base = await serve(pages(seen));
    const result = await fetchRetailPrices(base);
    expect(result).toMatchObject({ ok: true, pages: 2, truncated: false });
    expect(result.ok && result.items).toHaveLength(16);
    expect(decodeURIComponent(seen[0] ?? '')).toBe(`/api/retail/prices?$filter=${retailFilter()}`);
    expect(seen[1]).toContain('$skip=1000');
    expect(result.ok && result.url).toBe(`${base}?$filter=${retailFilter()}`);
  });

  it('keeps a query the URL already has', () => {
    expect(retailPricesUrl('https://prices.example/api?api-version=2023-01-01-preview')).toMatch(
      /\?api-version=2023-01-01-preview&\$filter=serviceName%20eq%20'Foundry%20Models'/,
    );
  });

  it('stops at the page limit and says the answer was cut', async () => {
    const base = await serve(pages([]));
    expect(await fetchRetailPrices(base, { maxPages: 1 })).toMatchObject({ ok: true, pages: 1, truncated: true });
  });

  it('says why, without throwing, when nothing listens on the port', async () => {
    const base = await serve(() => {});
    const closed = servers.pop();
    await new Promise((resolve) => closed?.close(resolve));
    expect(await fetchRetailPrices(base)).toEqual({
      ok: false,
      reason: 'could not be reached (ECONNREFUSED)',
      url: expect.any(String),
    });
  });

  it('says why when the server drops the connection', async () => {
    const base = await serve((req) => req.socket.destroy());
    const result = await fetchRetailPrices(base);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^could not be reached \(/) });
  });

  it('gives up at its deadline', async () => {
    const base = await serve(() => {}); // never answers
    expect(await fetchRetailPrices(base, { timeoutMs: 200 })).toMatchObject({
      ok: false,
      reason: 'did not answer within 200 ms',
    });
  });

  it.each([
    ['an error status', (res: ServerResponse) => res.writeHead(503).end('busy'), 'answered HTTP 503'],
    [
      'a page that is not JSON',
      (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
      'answered with something that is not JSON',
    ],
    [
      'JSON without Items',
      (res: ServerResponse) => res.writeHead(200).end('{"error":{"code":"BadRequest"}}'),
      'the answer has no Items list',
    ],
    [
      'a NextPageLink to another host',
      (res: ServerResponse) =>
        res.writeHead(200).end(JSON.stringify({ Items: [], NextPageLink: 'https://elsewhere.example/steal' })),
      'NextPageLink is not a page of http://127.0.0.1:',
    ],
  ])('refuses %s with a clear reason', async (_what, answer, reason) => {
    const base = await serve((_req, res) => answer(res));
    const result = await fetchRetailPrices(base);
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });
});
