import type { LoadedPrices } from './load.ts';
import { applyOverlay, PricesFileError } from './override.ts';
import { isObj, type Obj } from './placeholder.ts';
import type { Catalogue } from './schema.ts';

/**
 * The catalogue the running bot reads, which the Retail Prices feed can change while it runs.
 * Everything was handed one `prices` object at start (services, the notifier, the monitor, the GPU
 * provider); rather than turn each of those into a getter, this object's sections are replaced in
 * place when a feed is applied, so every holder reads the newest figures on its next lookup. The
 * order is fixed: built-in catalogue, then the feed, then PRICES_FILE on top (a person's own
 * correction wins over the feed). No I/O here: the feed arrives as data.
 */

export interface FeedOverlay {
  /** Catalogue-shaped overrides, as a PRICES_FILE would write them. */
  overlay: Record<string, unknown>;
  /** When it was read (ISO time). */
  readAt: string;
  source: string;
}

export interface LivePrices {
  /** The catalogue everything reads; the same object for the life of the process. */
  readonly prices: Catalogue;
  /** What a feed is laid over: the built-in catalogue with PRICES_FILE (azure-retail.ts reads its placeholders). */
  readonly base: Catalogue;
  /** The feed in force, if any. */
  readonly feed: FeedOverlay | undefined;
  /** Lays `feed` under the PRICES_FILE. A result that does not validate changes nothing and says why. */
  applyFeed(feed: FeedOverlay): { ok: true } | { ok: false; reason: string };
}

/**
 * The feed's overrides for models the catalogue still has: a model a PRICES_FILE removed (or a
 * release dropped) since the read must not turn the whole read into an invalid catalogue.
 */
function onlyKnownModels(overlay: Obj, base: Catalogue): Obj {
  const azure = overlay.azure;
  if (!isObj(azure) || !isObj(azure.models)) return overlay;
  const models = Object.fromEntries(Object.entries(azure.models).filter(([id]) => id in base.azure.models));
  return { ...overlay, azure: { ...azure, models } };
}

export function livePrices(loaded: LoadedPrices): LivePrices {
  // A copy: the built-in CATALOGUE is shared (tests, the CLI) and must never change under them.
  const prices: Catalogue = structuredClone(loaded.catalogue);
  let current: FeedOverlay | undefined;
  return {
    prices,
    base: loaded.catalogue,
    get feed() {
      return current;
    },
    applyFeed(feed) {
      try {
        // Over the file-merged catalogue (so a model the file adds can take the feed's rate), then
        // the file again on top, so its own figures win.
        const overlay = onlyKnownModels(feed.overlay, loaded.catalogue);
        const withFeed = applyOverlay(loaded.catalogue, overlay, `the Azure Retail Prices feed read ${feed.readAt}`);
        const merged = loaded.overlay ? applyOverlay(withFeed, loaded.overlay, loaded.file ?? 'PRICES_FILE') : withFeed;
        Object.assign(prices, merged);
        current = feed;
        return { ok: true };
      } catch (error) {
        if (error instanceof PricesFileError) return { ok: false, reason: error.problems.slice(0, 3).join('; ') };
        throw error;
      }
    },
  };
}
