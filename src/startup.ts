import type { Server } from 'node:http';
import { type App, webApi } from '@slack/bolt';
import { type Config, ConfigError, loadConfig } from './config/index.ts';
import { azureFeedOverlay } from './cost/azure-retail.ts';
import type { Catalogue } from './cost/catalogue.ts';
import { type LivePrices, livePrices } from './cost/live.ts';
import { loadCatalogue, loadPrices as loadPricesFile, PricesFileError } from './cost/load.ts';
import type { Logger } from './logger.ts';
import { fetchRetailPrices } from './providers/azure/retail-prices.ts';
import { slackErrorCode } from './slack/deliver.ts';
import { openStoreAsync, postgresWhere, StoreError, type StoreOptions, withoutPassword } from './store/index.ts';
import type { Store } from './store/types.ts';

/**
 * The checks a start makes before it serves anything, each turning what went wrong into one
 * ConfigError line that names what to fix.
 */

/** Every configuration mistake at once: the environment's, and a PRICES_FILE that cannot be used. */
export function loadConfigAndPrices(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    const file = env.PRICES_FILE?.trim();
    if (!(error instanceof ConfigError) || !file) throw error;
    try {
      loadPrices(file);
    } catch (problem) {
      if (problem instanceof ConfigError) throw new ConfigError([...error.problems, ...problem.problems]);
    }
    throw error;
  }
}

/** The built-in catalogue with PRICES_FILE over it; a bad file stops the start with one line. */
export function loadPrices(file: string | undefined): Catalogue {
  try {
    return loadCatalogue(file);
  } catch (error) {
    if (error instanceof PricesFileError) throw new ConfigError([error.message]);
    throw error;
  }
}

/** As loadPrices, as the catalogue the running bot reads: the Retail Prices feed can change it (cost/live.ts). */
export function loadLivePrices(file: string | undefined): LivePrices {
  try {
    return livePrices(loadPricesFile(file));
  } catch (error) {
    if (error instanceof PricesFileError) throw new ConfigError([error.message]);
    throw error;
  }
}

/** The feed's name in the store. */
export const AZURE_FEED = 'azure-retail';
/** Once a day, at an odd minute so replicas of many teams do not all ask at midnight. */
export const PRICE_FEED_CRON = '17 4 * * *';

export interface PriceFeedDeps {
  store: Store;
  live: LivePrices;
  logger: Logger;
  now: () => Date;
  /** AZURE_RETAIL_PRICES_URL; absent (off): only a read kept from before is used. */
  url?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type FeedOutcome = { ok: true; figures: number } | { ok: false; reason: string };

/**
 * Azure's Retail Prices, read at start (without holding the start up: the bot starts with no
 * network) and then daily: a good read is applied to the live catalogue and kept in the store, so
 * a restart begins where the last read left off; a failed one changes nothing and says why once.
 */
export function azurePriceFeed(d: PriceFeedDeps) {
  const controller = new AbortController();
  let running: Promise<FeedOutcome> | undefined;

  async function loadStored(): Promise<boolean> {
    try {
      const stored = await d.store.priceFeed(AZURE_FEED);
      if (!stored || (d.live.feed && d.live.feed.readAt >= stored.readAt)) return false;
      const applied = d.live.applyFeed({ overlay: stored.overlay, readAt: stored.readAt, source: stored.source });
      if (!applied.ok)
        d.logger.warn({ reason: applied.reason }, 'the stored Azure retail prices no longer fit the catalogue');
      return applied.ok;
    } catch (error) {
      d.logger.warn({ err: error }, 'could not read the stored Azure retail prices');
      return false;
    }
  }

  async function read(url: string): Promise<FeedOutcome> {
    const got = await fetchRetailPrices(url, {
      signal: controller.signal,
      ...(d.fetch ? { fetch: d.fetch } : {}),
      ...(d.timeoutMs ? { timeoutMs: d.timeoutMs } : {}),
    });
    const readAt = d.now();
    const parsed = got.ok
      ? azureFeedOverlay(got.items, { base: d.live.base, readAt, source: got.url })
      : { error: got.reason };
    if ('error' in parsed) {
      // Another replica may have read it meanwhile.
      await loadStored();
      const kept = d.live.feed ? `the read of ${d.live.feed.readAt.slice(0, 10)}` : "the catalogue's figures";
      d.logger.warn({ url: got.url, reason: parsed.error }, `Azure retail prices not read; keeping ${kept}`);
      return { ok: false, reason: parsed.error };
    }
    const feed = { overlay: parsed.overlay, readAt: readAt.toISOString(), source: got.ok ? got.url : url };
    const applied = d.live.applyFeed(feed);
    if (!applied.ok) {
      d.logger.warn(
        { reason: applied.reason },
        'Azure retail prices read, but they do not fit the catalogue; not used',
      );
      return { ok: false, reason: applied.reason };
    }
    await d.store.savePriceFeed({ name: AZURE_FEED, ...feed }).catch((error) => {
      d.logger.warn({ err: error }, 'could not keep the Azure retail prices in the store');
    });
    d.logger.info(
      { figures: parsed.figures.length, items: parsed.items, truncated: got.ok && got.truncated },
      'read Azure retail prices',
    );
    return { ok: true, figures: parsed.figures.length };
  }

  return {
    /** The last good read kept in the store, applied; false when there is none (or it no longer fits). */
    loadStored,
    /** One read of the feed; never throws. Concurrent calls share one read. */
    refresh(): Promise<FeedOutcome> {
      if (!d.url) return Promise.resolve({ ok: false, reason: 'AZURE_RETAIL_PRICES_URL is off' });
      if (controller.signal.aborted) return Promise.resolve({ ok: false, reason: 'stopped' });
      running ??= read(d.url)
        .catch((error): FeedOutcome => {
          d.logger.warn({ err: error }, 'reading Azure retail prices failed');
          return { ok: false, reason: (error as Error).message };
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    /** Stops a read in progress and waits for it, so the store is not closed under it. */
    async stop(): Promise<void> {
      controller.abort();
      await running;
    },
  };
}

export async function verifyBotToken(config: Config, clientOptions: webApi.WebClientOptions, logger: webApi.Logger) {
  try {
    return await new webApi.WebClient(config.slack.botToken, { ...clientOptions, logger }).auth.test();
  } catch (error) {
    const code = slackErrorCode(error);
    throw new ConfigError([
      code
        ? `SLACK_BOT_TOKEN was refused by Slack (${code}); copy the Bot User OAuth Token again`
        : `SLACK_BOT_TOKEN could not be checked: Slack did not answer (${(error as Error).message})`,
    ]);
  }
}

export async function listenOrExplain(listen: () => Promise<Server>, port: number): Promise<Server> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError([`PORT ${port} is already in use; stop what holds it or set another PORT`]);
    if (code === 'EACCES')
      throw new ConfigError([`PORT ${port} needs privileges this process lacks; use a port above 1023`]);
    throw error;
  }
}

const PG_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is it running, and on that port?',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'no answer',
  EHOSTUNREACH: 'host unreachable',
  '57P03': 'the server is starting up or shutting down',
};

/**
 * The store DATABASE_URL names, open and migrated; a PostgreSQL that cannot be reached or refuses
 * the login stops the start with one line that says where and why, never with the URL's password.
 */
export async function openStoreOrExplain(target: Config['database'], options: StoreOptions = {}): Promise<Store> {
  try {
    return await openStoreAsync(target, options);
  } catch (error) {
    if (error instanceof StoreError || target.kind !== 'postgres') throw error;
    const { code, message } = error as { code?: string; message?: string };
    const reason =
      (code && PG_REASONS[code]) ??
      (/timeout/i.test(message ?? '') ? 'no answer in time' : withoutPassword(message ?? String(error), target.url));
    throw new StoreError(
      `DATABASE_URL: cannot use PostgreSQL at ${postgresWhere(target.url)} (${reason}); start it or fix DATABASE_URL`,
    );
  }
}

export async function connectOrExplain(app: App): Promise<void> {
  try {
    await app.start();
  } catch (error) {
    const code = slackErrorCode(error);
    throw new ConfigError([
      code
        ? `SLACK_APP_TOKEN was refused by Slack (${code}); create an app-level token with connections:write again`
        : `Socket Mode could not connect to Slack (${(error as Error).message})`,
    ]);
  }
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
