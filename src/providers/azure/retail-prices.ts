import { readRetailPage } from '../../cost/azure-retail.ts';

/**
 * Azure's public Retail Prices API (no key): GET <url>?$filter=…, paged by NextPageLink. Plain
 * fetch, one deadline for all pages, and never a throw: the caller gets the items or a sentence
 * saying why not, and keeps the prices it has. What the items mean is src/cost/azure-retail.ts.
 */

/**
 * Fine-tuning is trained in a few regions (East US 2, North Central US, Sweden Central); East US 2
 * is one of them and carries the Global and Developer meters too. One region keeps the answer to a
 * page or two instead of every region's copy of ~740 Foundry Models meters.
 */
export const RETAIL_REGION = 'eastus2';

/** Azure OpenAI's meters, pay-as-you-go, in one region. "Foundry Models" was "Cognitive Services". */
export function retailFilter(region = RETAIL_REGION): string {
  return `serviceName eq 'Foundry Models' and priceType eq 'Consumption' and armRegionName eq '${region}'`;
}

export interface RetailFetchOptions {
  fetch?: typeof fetch;
  /** For all pages together; default 60 s. */
  timeoutMs?: number;
  /** Pages followed at most; default 20 (one region is one or two). */
  maxPages?: number;
  region?: string;
  /** Stops the read (the bot shutting down). */
  signal?: AbortSignal;
}

export type RetailFetchResult =
  | { ok: true; items: unknown[]; pages: number; url: string; truncated: boolean }
  | { ok: false; reason: string; url: string };

/** The first page's URL: the base with the filter, `$filter` kept literal as the API's examples write it. */
export function retailPricesUrl(base: string, region?: string): string {
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}$filter=${encodeURIComponent(retailFilter(region))}`;
}

function why(error: unknown, timeoutMs: number, signal?: AbortSignal): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError') {
    return `did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`;
  }
  if (name === 'AbortError' || signal?.aborted) return 'the read was stopped';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
  return `could not be reached (${detail})`;
}

export async function fetchRetailPrices(base: string, o: RetailFetchOptions = {}): Promise<RetailFetchResult> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const maxPages = o.maxPages ?? 20;
  const doFetch = o.fetch ?? fetch;
  const first = retailPricesUrl(base, o.region);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
  let origin: string;
  try {
    origin = new URL(first).origin;
  } catch {
    return { ok: false, reason: `${base} is not a URL`, url: first };
  }
  const items: unknown[] = [];
  let url: string | null = first;
  let pages = 0;
  try {
    while (url && pages < maxPages) {
      const res: Response = await doFetch(url, {
        headers: { accept: 'application/json', 'user-agent': 'finetune-bot (price feed)' },
        signal,
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        return {
          ok: false,
          reason: `answered HTTP ${res.status}${pages > 0 ? ` on page ${pages + 1}` : ''}`,
          url: first,
        };
      }
      let json: unknown;
      try {
        json = JSON.parse(await res.text());
      } catch {
        return { ok: false, reason: 'answered with something that is not JSON', url: first };
      }
      const page = readRetailPage(json);
      if ('error' in page) return { ok: false, reason: page.error, url: first };
      items.push(...page.items);
      pages += 1;
      const next = page.next === null ? null : URL.parse(page.next, first);
      // The next page must be the same service: a link elsewhere (or no link at all) is not followed.
      if (page.next !== null && next?.origin !== origin) {
        return { ok: false, reason: `NextPageLink is not a page of ${origin}`, url: first };
      }
      url = next?.href ?? null;
    }
  } catch (error) {
    return { ok: false, reason: why(error, timeoutMs, o.signal), url: first };
  }
  return { ok: true, items, pages, url: decodeURIComponent(first), truncated: url !== null };
}
