import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azureFeedOverlay, compact, readRetailPage } from '../../src/cost/azure-retail.ts';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { estimate } from '../../src/cost/estimate.ts';
import { livePrices } from '../../src/cost/live.ts';
import { loadPrices } from '../../src/cost/load.ts';
import { azureTrainingPlaceholder } from '../../src/cost/placeholder.ts';

/**
 * Two pages shaped like the Retail Prices API's answer (envelope, item fields, NextPageLink,
 * meter-name abbreviations). The prices in them are made up for the test: they are not Azure's.
 */
const page = (n: number) =>
  JSON.parse(readFileSync(new URL(`../fixtures/azure/retail-prices.page${n}.json`, import.meta.url), 'utf8'));
const items = () => [...page(1).Items, ...page(2).Items];
const readAt = new Date('2026-12-01T06:00:00Z');
const SOURCE = "https://prices.azure.com/api/retail/prices?$filter=serviceName eq 'Foundry Models'";

function feed() {
  const result = azureFeedOverlay(items(), { base: CATALOGUE, readAt, source: SOURCE });
  if ('error' in result) throw new Error(result.error);
  return result;
}

describe('a Retail Prices page', () => {
  it('gives its items and the next page', () => {
    const first = readRetailPage(page(1));
    expect('items' in first && first.items.length).toBe(12);
    expect('next' in first && first.next).toMatch(
      /^https:\/\/prices\.azure\.com:443\/api\/retail\/prices\?\$filter=.*\$skip=1000$/,
    );
    expect(readRetailPage(page(2))).toMatchObject({ next: null });
  });

  it.each([
    [null, 'not a JSON object'],
    [[], 'not a JSON object'],
    [{ items: [] }, 'no Items list'],
    [{ Items: 'x' }, 'no Items list'],
    [{ Items: [], NextPageLink: 42 }, 'NextPageLink is not a link'],
  ])('refuses %j with a reason', (json, reason) => {
    expect(readRetailPage(json)).toEqual({ error: expect.stringContaining(reason) });
  });
});

describe('the Azure feed as catalogue overrides', () => {
  it('reads training per 1M tokens (1K units scaled) by model and tier, and hosting per hour', () => {
    const { overlay, figures } = feed();
    const models = overlay.azure.models as Record<string, { training: Record<string, unknown> }>;
    expect(models['gpt-4.1-mini-2025-04-14']?.training).toMatchObject({
      global_per_1m: 4.4, // the newest price in effect: not 2024's $3.00, not 2099's $9.90
      standard_per_1m: 5.5, // $0.0055 per 1K
      placeholder: ['developer'],
      as_of: '2026-12-01',
      source: SOURCE,
    });
    expect(models['gpt-4.1-mini-2025-04-14']?.training.note).toMatch(/Developer: no item in the feed/);
    expect(models['gpt-4o-mini-2024-07-18']?.training).toMatchObject({ global_per_1m: 3.3 });
    expect(models['gpt-4.1-2025-04-14']?.training).toMatchObject({
      global_per_1m: 5.5,
      developer_per_1m: 2.75,
      placeholder: ['standard'],
    });
    expect(overlay.azure.hosting).toMatchObject({ standard_per_hour: 1.7, global_per_hour: 1.9, as_of: '2026-12-01' });
    expect(String((overlay.azure.hosting as { note: string }).note)).toMatch(
      /Global varies by model from \$1.7 to \$1.9/,
    );
    expect(figures.filter((f) => f.kind === 'training')).toHaveLength(5);
  });

  it('leaves out what is not a pay-as-you-go fine-tuning rate of a catalogue model, and counts why', () => {
    const { ignored } = feed();
    expect(ignored).toMatchObject({
      'fine-tuned inference, not training or hosting': 1,
      'a Data Zone meter (no catalogue tier)': 1,
      'a grader meter': 1,
      'not a fine-tuning meter': 1,
      'no tier in the meter name': 1, // the 2023-style per-hour training unit of gpt-35-turbo
      'not in effect yet': 1,
      'priced as Reservation, not pay-as-you-go': 1,
    });
  });

  it('matches SKU names to catalogue ids however Azure abbreviates them', () => {
    expect(compact('gpt-4.1-mini-2025-04-14')).toBe(compact('41 mini'));
    expect(compact('gpt-4o-2024-08-06')).toBe('4o');
    expect(compact('gpt-4.1-nano-2025-04-14')).toBe('41nano');
  });

  it('says why when nothing usable is in the answer, so the catalogue is left as it is', () => {
    const none = azureFeedOverlay([{ productName: 'x' }, 'junk', { ...page(1).Items[7] }], {
      base: CATALOGUE,
      readAt,
      source: SOURCE,
    });
    expect(none).toEqual({
      error: expect.stringMatching(/none of the 3 items is a fine-tuning training or hosting rate/),
    });
  });
});

describe('the live catalogue', () => {
  const options = [
    { provider: 'azure', tier: 'global', model: 'gpt-4.1-mini-2025-04-14' },
    { provider: 'azure', tier: 'developer', model: 'gpt-4.1-mini-2025-04-14' },
  ] as const;
  const run = (prices: typeof CATALOGUE) =>
    estimate(
      { trainingTokens: 1e6, epochs: 2, monthlyInputTokens: 0, monthlyOutputTokens: 0, options: [...options] },
      prices,
      readAt,
    ).options;

  it('takes the feed in place: the same object, new figures, placeholders only where the feed had none', () => {
    const live = livePrices(loadPrices());
    const held = live.prices;
    expect(run(held).map((o) => o.placeholder)).toEqual([true, true]);
    const { overlay } = feed();
    expect(live.applyFeed({ overlay, readAt: readAt.toISOString(), source: SOURCE })).toEqual({ ok: true });
    expect(live.prices).toBe(held);
    const [global, developer] = run(held);
    expect(global?.training.usd).toBe(8.8); // 2M tokens × $4.40
    expect(global?.placeholder).toBeUndefined();
    expect(global?.assumptions.join(' ')).toMatch(/read from Azure’s Retail Prices API on 2026-12-01/);
    expect(developer?.placeholder).toBe(true);
    expect(azureTrainingPlaceholder(held, 'gpt-4.1-nano-2025-04-14', 'global')).toBe(true);
    // The built-in catalogue itself never changes.
    expect(CATALOGUE.azure.models['gpt-4.1-mini-2025-04-14']?.training.global_per_1m).toBe(0.4);
  });

  it('keeps a PRICES_FILE on top of the feed, and a figure the file sets is no longer a placeholder', () => {
    const file = JSON.stringify({
      azure: { models: { 'gpt-4.1-mini-2025-04-14': { training: { global_per_1m: 6, developer_per_1m: 3 } } } },
    });
    const live = livePrices(loadPrices('prices.json', () => file));
    expect(live.applyFeed({ overlay: feed().overlay, readAt: readAt.toISOString(), source: SOURCE }).ok).toBe(true);
    const training = live.prices.azure.models['gpt-4.1-mini-2025-04-14']?.training;
    expect(training).toMatchObject({ global_per_1m: 6, standard_per_1m: 5.5, developer_per_1m: 3 });
    expect(training?.placeholder ?? []).toEqual([]);
    expect(run(live.prices).map((o) => o.placeholder)).toEqual([undefined, undefined]);
  });

  it('refuses a feed that does not fit the catalogue and changes nothing', () => {
    const live = livePrices(loadPrices());
    const before = structuredClone(live.prices);
    const bad = { azure: { models: { 'gpt-4.1-mini-2025-04-14': { training: { global_per_1m: -1 } } } } };
    const result = live.applyFeed({ overlay: bad, readAt: readAt.toISOString(), source: SOURCE });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/global_per_1m expects USD per 1M tokens/) });
    expect(live.prices).toEqual(before);
    expect(live.feed).toBeUndefined();
  });
});

describe('a stored read after the catalogue changed', () => {
  it('still applies when a PRICES_FILE has since removed one of its models', () => {
    const file = JSON.stringify({ azure: { models: { 'gpt-4o-mini-2024-07-18': null } } });
    const live = livePrices(loadPrices('prices.json', () => file));
    const result = live.applyFeed({ overlay: feed().overlay, readAt: readAt.toISOString(), source: SOURCE });
    expect(result).toEqual({ ok: true });
    expect(live.prices.azure.models['gpt-4o-mini-2024-07-18']).toBeUndefined();
    expect(live.prices.azure.models['gpt-4.1-mini-2025-04-14']?.training.global_per_1m).toBe(4.4);
  });
});
