import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AZURE_FEED } from '../../src/startup.ts';
import { interactionBody, viewSubmission } from '../support/slack-request.ts';
import { Harness } from './harness.ts';

/** A stand-in for prices.azure.com: `answer` null drops the connection. No test reaches the internet. */
async function azure(
  answer: (base: string, url: string) => string | null,
): Promise<{ base: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = answer(base, req.url ?? '');
    if (body === null) req.socket.destroy();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/retail/prices`;
  return { base, server, hits };
}
const fixture = (n: number) =>
  readFileSync(new URL(`../fixtures/azure/retail-prices.page${n}.json`, import.meta.url), 'utf8');

function costSubmission(): string {
  const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
  return interactionBody(
    viewSubmission({
      callbackId: 'estimate_cost',
      privateMetadata: '{"v":1,"channel":"C0CHAN"}',
      values: {
        trainingTokens: input('2M'),
        file: { value: { type: 'file_input', files: [] } },
        model: { value: { type: 'static_select', selected_option: { value: 'gpt-4.1-mini-2025-04-14' } } },
        epochs: input('3'),
        monthlyTokens: input('0'),
        options: {
          value: {
            type: 'multi_static_select',
            selected_options: [
              { value: 'azure|global|gpt-4.1-mini-2025-04-14' },
              { value: 'azure|developer|gpt-4.1-mini-2025-04-14' },
            ],
          },
        },
        modelParamsB: input(''),
      },
    }),
  );
}

async function comparison(h: Harness): Promise<string> {
  h.slack.reset();
  await h.post(costSubmission());
  const [post] = await h.slack.waitFor('chat.postMessage');
  return JSON.stringify((post?.args as { blocks?: unknown[] } | undefined)?.blocks ?? []);
}

describe('the bot with Azure’s price feed unreachable', () => {
  let feed: Awaited<ReturnType<typeof azure>>;
  let h: Harness;
  beforeAll(async () => {
    feed = await azure(() => null);
    h = new Harness({ AZURE_RETAIL_PRICES_URL: feed.base });
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
    feed.server.closeAllConnections();
    feed.server.close();
  });

  it('starts anyway, keeps the catalogue’s figures and says placeholder next to every Azure estimate', async () => {
    const text = await comparison(h);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Global\) +≈ \$2\.40 \(placeholder rate\)/); // 6M × $0.40
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Developer\) +≈ \$1\.20 \(placeholder rate\)/);
    expect(await h.withStore((s) => s.priceFeed(AZURE_FEED))).toBeUndefined();
  });
});

describe('the bot with Azure’s price feed answering', () => {
  let feed: Awaited<ReturnType<typeof azure>>;
  let h: Harness;
  beforeAll(async () => {
    feed = await azure((base, url) =>
      url.includes('$skip=1000')
        ? fixture(2)
        : fixture(1).replace('https://prices.azure.com:443/api/retail/prices', base),
    );
    h = new Harness({ AZURE_RETAIL_PRICES_URL: feed.base });
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
    feed.server.close();
  });

  it('reads it after the start, keeps it in the store, and estimates with it', async () => {
    for (let i = 0; i < 100 && !(await h.withStore((s) => s.priceFeed(AZURE_FEED))); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(feed.hits).toHaveLength(2);
    const text = await comparison(h);
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Global\) +\$26\.40 /); // 6M × $4.40, from the feed
    expect(text).toMatch(/Azure gpt-4\.1-mini \(Developer\) +≈ \$1\.20 \(placeholder rate\)/); // no item for it
  });
});
