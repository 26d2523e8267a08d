import type { AzureTier, Catalogue } from './schema.ts';

/**
 * Which Azure figures rest on a placeholder rather than a published price. The catalogue says so
 * as data (`placeholder`: the tiers whose figure is a stand-in); every estimate that uses such a
 * figure carries PLACEHOLDER_MARK next to its number, and a MAX_JOB_USD decision on it says so.
 */

export const PLACEHOLDER_MARK = '(placeholder rate)';

/** "≈ $12.40 (placeholder rate)" when the figure rests on a placeholder, else the text as it is. */
export function markPlaceholder(text: string, placeholder: boolean | undefined): string {
  return placeholder ? `≈ ${text} ${PLACEHOLDER_MARK}` : text;
}

export function azureTrainingPlaceholder(catalogue: Catalogue, model: string, tier: AzureTier): boolean {
  return catalogue.azure.models[model]?.training.placeholder?.includes(tier) ?? false;
}

export function azureHostingPlaceholder(catalogue: Catalogue, tier: AzureTier): boolean {
  return catalogue.azure.hosting.placeholder?.includes(tier) ?? false;
}

export type Obj = Record<string, unknown>;
/** A plain JSON object (not an array): what overlays and catalogues are made of. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The placeholder list less the tiers whose figure `overlay` sets, unless the overlay names the list itself. */
function settled(merged: Obj, overlay: Obj, suffix: string): Obj {
  if ('placeholder' in overlay || !Array.isArray(merged.placeholder)) return merged;
  const left = (merged.placeholder as AzureTier[]).filter((tier) => !(`${tier}${suffix}` in overlay));
  const { placeholder: _dropped, ...rest } = merged;
  return left.length > 0 ? { ...rest, placeholder: left } : rest;
}

/**
 * After `overlay` (a PRICES_FILE, the Retail Prices feed) is merged over a catalogue: a figure the
 * overlay sets is no longer the built-in placeholder, so a corrected rate stops being flagged
 * without the file having to say so. Returns a new tree; `merged` is not changed.
 */
export function settlePlaceholders(merged: unknown, overlay: unknown): unknown {
  if (!isObj(merged) || !isObj(overlay) || !isObj(overlay.azure) || !isObj(merged.azure)) return merged;
  const azure: Obj = { ...merged.azure };
  const models = overlay.azure.models;
  if (isObj(models) && isObj(azure.models)) {
    const out: Obj = { ...azure.models };
    for (const [id, entry] of Object.entries(models)) {
      const current = out[id];
      if (!isObj(entry) || !isObj(entry.training) || !isObj(current) || !isObj(current.training)) continue;
      out[id] = { ...current, training: settled(current.training, entry.training, '_per_1m') };
    }
    azure.models = out;
  }
  if (isObj(overlay.azure.hosting) && isObj(azure.hosting)) {
    azure.hosting = settled(azure.hosting, overlay.azure.hosting, '_per_hour');
  }
  return { ...merged, azure };
}
