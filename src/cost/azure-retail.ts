import { asItem, compact, type Kind, normalised, readMeter } from './azure-meters.ts';
import { AZURE_TIERS, type AzureTier, type Catalogue } from './schema.ts';

export { compact, type RetailItem, readRetailPage } from './azure-meters.ts';

/**
 * Azure's Retail Prices API (prices.azure.com/api/retail/prices) read into catalogue overrides:
 * fine-tuning training per token (`azure.models[*].training.<tier>_per_1m`) and fine-tuned
 * deployment hosting per hour (`azure.hosting.<tier>_per_hour`). Pure: pages and a clock in,
 * overrides out; the fetcher is src/providers/azure/retail-prices.ts.
 *
 * What could be confirmed about the feed (secondary sources, not Microsoft's reference): Azure
 * OpenAI prices sit under serviceName "Foundry Models" (formerly "Cognitive Services"); GPT-4o and
 * GPT-4.1 fine-tuning meters under productName "Azure OpenAI PP FT GPT4s"; SKU words are
 * abbreviated ("trng"/"training", "hstng"/"hosting", "glbl"/"regnl"/"dz", "ft"), training priced
 * per "1K" or "1M" tokens, hosting per "1 Hour" ("Deployment Hosting Unit"). The exact meter names
 * of each model and tier could not be confirmed from here, so items are recognised by those words,
 * not by a fixed list; a model or tier the feed has no item for keeps the catalogue's figure, and
 * that figure stays flagged a placeholder.
 */

export interface FeedFigure {
  /** The catalogue's model id (hosting is metered per model too; the catalogue keeps one rate per tier). */
  model: string;
  tier: AzureTier;
  kind: Kind;
  usd: number;
  meterName: string;
  region?: string;
}

export interface AzureFeed {
  /** Catalogue-shaped overrides (the PRICES_FILE shape), dated and sourced. */
  overlay: { azure: Record<string, unknown> };
  figures: FeedFigure[];
  /** Items read, and why the ones not used were left out (reason → count). */
  items: number;
  ignored: Record<string, number>;
}

export interface FeedOptions {
  /** The catalogue in force: which models exist, which figures are placeholders now. */
  base: Catalogue;
  readAt: Date;
  /** The URL the items were read from: each figure's `source`. */
  source: string;
  /** Prefer this region's price where regions differ (the items are usually one region's already). */
  region?: string;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const TIER_NAMES: Record<AzureTier, string> = { standard: 'Standard', global: 'Global', developer: 'Developer' };

/** The price to use among one figure's regions: the preferred region, else the most common, else the highest. */
function pick(candidates: Array<{ usd: number; region?: string }>, region?: string): number {
  const preferred = candidates.find((c) => region !== undefined && c.region === region);
  if (preferred) return preferred.usd;
  const counts = new Map<number, number>();
  for (const c of candidates) counts.set(c.usd, (counts.get(c.usd) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
}

/**
 * The feed's items as catalogue overrides. An error (and nothing to apply) when no item gives a
 * fine-tuning rate for a model the catalogue knows: the catalogue is then left as it is.
 */
export function azureFeedOverlay(rawItems: unknown[], o: FeedOptions): AzureFeed | { error: string } {
  const ignored: Record<string, number> = {};
  const skip = (why: string) => {
    ignored[why] = (ignored[why] ?? 0) + 1;
  };
  const byModel = new Map(Object.keys(o.base.azure.models).map((id) => [compact(id), id]));
  const at = o.readAt.getTime();
  const found = new Map<string, Array<{ usd: number; region?: string; start: number; meterName: string }>>();
  for (const raw of rawItems) {
    const item = asItem(raw);
    if (!item) {
      skip('not a price item');
      continue;
    }
    if (item.type !== undefined && item.type !== 'Consumption') {
      skip(`priced as ${item.type}, not pay-as-you-go`);
      continue;
    }
    if (item.currencyCode !== undefined && item.currencyCode !== 'USD') {
      skip('not in USD');
      continue;
    }
    const reading = readMeter(item);
    if (typeof reading === 'string') {
      skip(reading);
      continue;
    }
    if (reading.tier === undefined || reading.tier === 'datazone') {
      skip(reading.tier ? 'a Data Zone meter (no catalogue tier)' : 'no tier in the meter name');
      continue;
    }
    const model = byModel.get(reading.modelKey);
    if (!model) {
      skip('a model the catalogue does not price');
      continue;
    }
    const usd = normalised(item, reading.kind);
    if (usd === undefined) {
      skip(`priced per "${item.unitOfMeasure}"`);
      continue;
    }
    const start = Date.parse(item.effectiveStartDate ?? '');
    if (Number.isFinite(start) && start > at) {
      skip('not in effect yet');
      continue;
    }
    const key = `${reading.kind}|${reading.tier}|${model}`;
    const list = found.get(key) ?? [];
    // Per region, the newest price in effect wins.
    const same = list.findIndex((c) => c.region === item.armRegionName);
    const entry = {
      usd,
      start: Number.isFinite(start) ? start : 0,
      meterName: item.meterName,
      ...(item.armRegionName ? { region: item.armRegionName } : {}),
    };
    if (same === -1) list.push(entry);
    else if (entry.start >= (list[same]?.start ?? 0)) list[same] = entry;
    found.set(key, list);
  }
  const figures: FeedFigure[] = [];
  for (const [key, list] of found) {
    const [kind, tier, model] = key.split('|') as [Kind, AzureTier, string];
    const usd = round6(pick(list, o.region));
    const meter = list.find((c) => c.usd === usd) ?? list[0];
    figures.push({
      kind,
      tier,
      usd,
      meterName: meter?.meterName ?? '',
      model,
      ...(meter?.region ? { region: meter.region } : {}),
    });
  }
  if (figures.length === 0) {
    return {
      error: `none of the ${rawItems.length} items is a fine-tuning training or hosting rate for a model the catalogue knows`,
    };
  }
  return { overlay: { azure: overlayOf(figures, o) }, figures, items: rawItems.length, ignored };
}

function overlayOf(figures: FeedFigure[], o: FeedOptions): Record<string, unknown> {
  const day = o.readAt.toISOString().slice(0, 10);
  const models: Record<string, { training: Record<string, unknown> }> = {};
  const training = figures.filter((f) => f.kind === 'training');
  for (const id of new Set(training.map((f) => f.model))) {
    const mine = training.filter((f) => f.model === id);
    const tiers = mine.map((f) => f.tier);
    const left = (o.base.azure.models[id]?.training.placeholder ?? []).filter((t) => !tiers.includes(t));
    models[id] = {
      training: {
        ...Object.fromEntries(mine.map((f) => [`${f.tier}_per_1m`, f.usd])),
        placeholder: left,
        as_of: day,
        source: o.source,
        note:
          `From Azure's Retail Prices API, read ${day}: ${mine.map((f) => `${TIER_NAMES[f.tier]} (${f.meterName})`).join(', ')}.` +
          (left.length > 0
            ? ` ${left.map((t) => TIER_NAMES[t]).join(' and ')}: no item in the feed, so the catalogue's placeholder stays.`
            : ''),
      },
    };
  }
  const out: Record<string, unknown> = {};
  if (Object.keys(models).length > 0) out.models = models;
  const hosting = figures.filter((f) => f.kind === 'hosting');
  if (hosting.length > 0) {
    const rates: Record<string, number> = {};
    const spread: string[] = [];
    for (const tier of AZURE_TIERS) {
      const mine = hosting.filter((f) => f.tier === tier).map((f) => f.usd);
      if (mine.length === 0) continue;
      // One hosting figure serves every model here: the highest, so no deployment is undercounted.
      rates[`${tier}_per_hour`] = Math.max(...mine);
      if (Math.min(...mine) !== Math.max(...mine)) {
        spread.push(
          `${TIER_NAMES[tier]} varies by model from $${Math.min(...mine)} to $${Math.max(...mine)}; the highest is used`,
        );
      }
    }
    const tiers = Object.keys(rates).map((k) => k.replace('_per_hour', '') as AzureTier);
    const left = (o.base.azure.hosting.placeholder ?? []).filter((t) => !tiers.includes(t));
    out.hosting = {
      ...rates,
      placeholder: left,
      as_of: day,
      source: o.source,
      note: `Hosting per deployment-hour from Azure's Retail Prices API, read ${day}${spread.length > 0 ? ` (${spread.join('; ')})` : ''}. Tiers the feed has no item for keep the catalogue's figure.`,
    };
  }
  return out;
}
