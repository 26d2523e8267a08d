import type { AzureTier } from './schema.ts';

/**
 * One Retail Prices item read: its shape checked, and what a fine-tuning meter is for (training or
 * hosting, tier, model) read off its abbreviated names. The words come from what could be
 * confirmed of the feed (see azure-retail.ts); anything they do not cover is left out, with why.
 */

export interface RetailItem {
  serviceName?: string;
  productName: string;
  skuName: string;
  meterName: string;
  retailPrice: number;
  unitOfMeasure: string;
  armRegionName?: string;
  effectiveStartDate?: string;
  type?: string;
  currencyCode?: string;
}

/** One page of the API: its items and the next page's link (null on the last). */
export function readRetailPage(json: unknown): { items: unknown[]; next: string | null } | { error: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { error: 'the answer is not a JSON object with Items' };
  }
  const page = json as { Items?: unknown; NextPageLink?: unknown };
  if (!Array.isArray(page.Items)) return { error: 'the answer has no Items list' };
  const next = page.NextPageLink;
  if (next !== undefined && next !== null && typeof next !== 'string') {
    return { error: 'NextPageLink is not a link' };
  }
  return { items: page.Items, next: typeof next === 'string' && next !== '' ? next : null };
}

export function asItem(raw: unknown): RetailItem | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const text = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : undefined);
  const price = r.retailPrice;
  const productName = text('productName');
  const skuName = text('skuName');
  const meterName = text('meterName');
  const unitOfMeasure = text('unitOfMeasure');
  if (!productName || !skuName || !meterName || !unitOfMeasure) return undefined;
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) return undefined;
  const opt = (k: string) => (text(k) !== undefined ? { [k]: text(k) } : {});
  return {
    productName,
    skuName,
    meterName,
    unitOfMeasure,
    retailPrice: price,
    ...opt('serviceName'),
    ...opt('armRegionName'),
    ...opt('effectiveStartDate'),
    ...opt('type'),
    ...opt('currencyCode'),
  };
}

const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[-_/,()]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);

const TIER_WORDS: Record<string, AzureTier | 'datazone'> = {
  glbl: 'global',
  global: 'global',
  glb: 'global',
  gl: 'global',
  regnl: 'standard',
  rgnl: 'standard',
  regional: 'standard',
  regn: 'standard',
  rg: 'standard',
  dev: 'developer',
  developer: 'developer',
  dz: 'datazone',
  dzone: 'datazone',
  dzn: 'datazone',
  datazone: 'datazone',
};
const TRAINING = new Set(['trng', 'training', 'trn']);
const HOSTING = new Set(['hstng', 'hosting']);
const GRADER = new Set(['grdr', 'grader']);
const FT = new Set(['ft', 'ftuned', 'finetuned', 'rft']);
/** Words that say nothing about which model a meter is for. */
const NOISE = new Set([
  ...TRAINING,
  ...HOSTING,
  ...FT,
  'az',
  'gpt',
  'fine',
  'tuned',
  'tkn',
  'tkns',
  'token',
  'tokens',
  'deployment',
  'unit',
  'pp',
  'std',
  'standard',
  'data',
  'zone',
  '1m',
  '1k',
]);

export type Kind = 'training' | 'hosting';

interface Reading {
  kind: Kind;
  tier: AzureTier | 'datazone' | undefined;
  modelKey: string;
}

/** What a fine-tuning meter is for, or why it is not one the catalogue has a place for. */
export function readMeter(item: RetailItem): Reading | string {
  const all = words(`${item.productName} ${item.skuName} ${item.meterName}`);
  const isFt = all.some((w) => FT.has(w)) || /fine[- ]?tun/i.test(`${item.productName} ${item.skuName}`);
  if (!isFt) return 'not a fine-tuning meter';
  const sku = words(`${item.skuName} ${item.meterName}`);
  if (sku.some((w) => GRADER.has(w))) return 'a grader meter';
  const kind: Kind | undefined = sku.some((w) => TRAINING.has(w))
    ? 'training'
    : sku.some((w) => HOSTING.has(w))
      ? 'hosting'
      : undefined;
  if (!kind) return 'fine-tuned inference, not training or hosting';
  const tier = sku.map((w) => TIER_WORDS[w]).find((t) => t !== undefined);
  const model = words(item.skuName).filter(
    (w) =>
      !NOISE.has(w) && TIER_WORDS[w] === undefined && !/^\d{4}$/.test(w) && !/^(inp|outp|input|output|opt)$/.test(w),
  );
  return { kind, tier, modelKey: compact(model.join(' ')) };
}

/** "gpt-4.1-mini-2025-04-14" and the SKU's "4.1 mini" / "41 mini" both to "41mini". */
export function compact(model: string): string {
  return model
    .toLowerCase()
    .replace(/-\d{4}-\d{2}-\d{2}$/, '')
    .replace(/^gpt[-\s]?/, '')
    .replace(/[^a-z0-9]/g, '');
}

/** USD per 1M tokens, or per hour, from the item's price and unit; undefined for another unit. */
export function normalised(item: RetailItem, kind: Kind): number | undefined {
  const unit = item.unitOfMeasure.toLowerCase().replace(/\s+/g, '');
  if (kind === 'hosting') return /^1\/?hours?$/.test(unit) ? item.retailPrice : undefined;
  if (unit === '1m') return item.retailPrice;
  if (unit === '1k') return item.retailPrice * 1000;
  return undefined;
}
