import type { Catalogue } from '../../src/cost/catalogue.ts';
import { applyOverlay, parsePricesJson } from '../../src/cost/override.ts';

/** The catalogue with a PRICES_FILE's JSON text merged over `base`, as the loader does it. */
export function applyPricesFile(base: Catalogue, text: string, file: string): Catalogue {
  return applyOverlay(base, parsePricesJson(text, file), file);
}
