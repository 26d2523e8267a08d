import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Receiver, SocketModeReceiver, webApi } from '@slack/bolt';
import { TRIGGER_LIFETIME_MS } from '../handlers/after-ack.ts';
import { guardHttpReceiver, registerHandlers } from '../handlers/index.ts';
import { PREFLIGHT_DEADLINE_MS } from '../handlers/views/job-start-submitted.ts';
import { openaiWebhookRoute } from '../handlers/webhooks/index.ts';
import { type Config, ConfigError, environmentWithDotEnv } from './config/index.ts';
import { healthRoute, startHealthServer } from './health.ts';
import { trackInFlight } from './in-flight.ts';
import { postDigest } from './jobs/digest-post.ts';
import { START_RETRY_MS } from './jobs/lifecycle.ts';
import { createMonitor, type Monitor } from './jobs/monitor.ts';
import { createNotices } from './jobs/notices.ts';
import { createOpenAIWebhook, POLL_WITH_WEBHOOK_MS } from './jobs/provider-webhook.ts';
import { resumeJobs } from './jobs/resume.ts';
import { startSchedules } from './jobs/scheduler.ts';
import { prettyStream } from './log-pretty.ts';
import { boltLogger, createLogger, type Logger, scrubSecrets } from './logger.ts';
import { createMetrics, meterSlackApp, metricsRoute } from './metrics.ts';
import { installProcessGuard } from './process-guard.ts';
import type { GpuProviderOptions } from './providers/gpu/index.ts';
import { type PoolOptions, SshPool } from './providers/gpu/ssh-pool.ts';
import { createProviders, type HostedTuning } from './providers/index.ts';
import { meterProviders } from './providers/metered.ts';
import type { Services } from './services.ts';
import { downloadSlackFile } from './slack/files.ts';
import { createSlackJobNotifier } from './slack/job-notifier.ts';
import {
  azurePriceFeed,
  closeServer,
  connectOrExplain,
  listenOrExplain,
  loadConfigAndPrices,
  loadLivePrices,
  openStoreOrExplain,
  PRICE_FEED_CRON,
  verifyBotToken,
} from './startup.ts';
import { StoreError } from './store/index.ts';

/**
 * The composition root: config → store → Bolt app + handlers. The only module that imports
 * handlers/. Later layers (providers, the job monitor) join here.
 */

export interface RunningBot {
  /** The port the HTTP server listens on: Slack requests in HTTP mode, /healthz in both modes. */
  port: number;
  /** The job monitor, ticking on POLL_CRON; tests and operators can tick it at once. */
  monitor: Monitor;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  now?: () => Date;
  /** GPU hosts: the SSH pool's and the adapter's tuning (the tests' stand-in trainer, short grace periods). */
  gpu?: Partial<Omit<GpuProviderOptions, 'hosts' | 'pool' | 'catalogue'>> & { pool?: PoolOptions };
  /** Together and Fireworks: the adapters' tuning (short retry waits in tests). */
  hosted?: HostedTuning;
  /** The bot's own fixed waits; production keeps the defaults, tests shorten them to stop sleeping. */
  waits?: Partial<Waits>;
}

const DRAIN_MS = 8_000;

export interface Waits {
  /** How long a views.open is waited for (Slack's trigger_id lifetime). */
  triggerDeadlineMs: number;
  /** How long the review waits for a GPU host's pre-flight. */
  preflightDeadlineMs: number;
  /** The first wait before asking a provider again for a start it did not confirm (it grows per attempt). */
  startRetryMs: number;
  /** How long a shutdown waits for acked work (a save and a post) before it closes the store anyway. */
  drainMs: number;
}

/** The waits a start uses: what `options` shortens, the production values for the rest. */
export function startWaits({ waits = {} }: Pick<StartOptions, 'waits'> = {}): Waits {
  return {
    triggerDeadlineMs: waits.triggerDeadlineMs ?? TRIGGER_LIFETIME_MS,
    preflightDeadlineMs: waits.preflightDeadlineMs ?? PREFLIGHT_DEADLINE_MS,
    startRetryMs: waits.startRetryMs ?? START_RETRY_MS,
    drainMs: waits.drainMs ?? DRAIN_MS,
  };
}

/** Pretty lines for a person at a terminal, JSON for everything else (log shippers, pipes). */
function terminalStream() {
  return process.stdout.isTTY ? prettyStream(process.stdout) : undefined;
}

export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger(config.logLevel, terminalStream());
  const waits = startWaits(options);
  // One catalogue object for everyone; Azure's Retail Prices feed updates it in place (cost/live.ts).
  const live = loadLivePrices(config.pricesFile);
  const prices = live.prices;
  const bolt = boltLogger(logger);

  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // A few quick retries; a modal's trigger is dead after 3 s, so long back-offs help nobody.
    retryConfig: { retries: 2, minTimeout: 100, maxTimeout: 1000 },
    timeout: 10_000,
  };
  // Before anything is created: a refused token leaves no database file and no log lines behind.
  const identity = await verifyBotToken(config, clientOptions, bolt);
  const store = await openStoreOrExplain(config.database, { logger, ...(options.now ? { now: options.now } : {}) });
  const now = options.now ?? (() => new Date());
  const azureRetailPricesUrl = config.hosted.azureRetailPricesUrl;
  const priceFeed = azurePriceFeed({
    store,
    live,
    logger,
    now,
    ...(azureRetailPricesUrl ? { url: azureRetailPricesUrl } : {}),
  });
  // The last read kept in the store, before any request is served; the fresh read follows the start.
  await priceFeed.loadStored();
  // One SSH connection per GPU host, shared by every job there; closed last on stop.
  const { pool: poolOptions, ...gpuTuning } = options.gpu ?? {};
  const pool = config.gpu ? new SshPool(config.gpu.hosts, { logger, ...poolOptions }) : undefined;
  const { providers: adapters, azureDeployer } = createProviders(config.providers, {
    hosted: config.hosted,
    ...(options.hosted ? { tuning: options.hosted } : {}),
    ...(config.gpu && pool
      ? { gpu: { hosts: config.gpu.hosts, pool, catalogue: prices, logger, now, ...gpuTuning } }
      : {}),
    ...(config.k8s ? { k8s: { config: config.k8s, catalogue: prices, logger, now } } : {}),
  });
  // GET /metrics (metrics.ts): every provider call counted in one place, jobs read from the store on each scrape.
  const metrics = createMetrics({ store, providers: Object.keys(adapters) });
  const providers = meterProviders(adapters, metrics);
  // The monitor and the digest post outside any request, with a client of their own.
  const slackClient = new webApi.WebClient(config.slack.botToken, { ...clientOptions, logger: bolt });
  metrics.watchSlackClient(slackClient);
  // Progress edits on a client of their own that fails fast on a 429 (job-notifier.ts pauses them).
  const editClient = new webApi.WebClient(config.slack.botToken, {
    ...clientOptions,
    rejectRateLimitedCalls: true,
    logger: bolt,
  });
  metrics.watchSlackClient(editClient);
  const notifier = createSlackJobNotifier({
    client: slackClient,
    editClient,
    store,
    prices,
    logger,
    now,
    approvers: config.jobs.approvers,
    ...(config.jobs.maxJobUsd !== undefined ? { maxJobUsd: config.jobs.maxJobUsd } : {}),
    providers,
  });
  // This process, as the owner of the notices it claims: another process (or this one after a
  // crash) can tell an abandoned claim from one being posted; the same id holds its job leases.
  const replica = randomUUID();
  const jobLease = { owner: replica, ttlMs: config.jobs.noticeLeaseMs };
  const notices = createNotices({
    store,
    notifier,
    logger,
    now,
    owner: replica,
    leaseMs: config.jobs.noticeLeaseMs,
  });
  const monitor = createMonitor({
    store,
    providers,
    notifier,
    notices,
    prices,
    logger,
    now,
    stallMinutes: config.jobs.stallMinutes,
    resume: () => resumeJobs(services.jobs, jobLease),
    // OpenAI's endings come by webhook then: rounds only need to catch its jobs' progress.
    ...(config.hosted.openaiWebhookSecret ? { pollEveryMs: { openai: POLL_WITH_WEBHOOK_MS } } : {}),
    // Replicas on one database share the rounds; a dead one's jobs move on after the lease.
    leases: { ...jobLease, onTakeover: () => metrics.leaseTakenOver('job') },
  });
  const openaiWebhook = config.hosted.openaiWebhookSecret
    ? createOpenAIWebhook({ secret: config.hosted.openaiWebhookSecret, store, monitor, logger })
    : undefined;
  const services: Services = {
    store,
    logger,
    now,
    prices,
    limits: { maxFileBytes: config.maxFileBytes },
    triggerDeadlineMs: waits.triggerDeadlineMs,
    preflightDeadlineMs: waits.preflightDeadlineMs,
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    ...(identity.url ? { workspaceUrl: identity.url } : {}),
    jobs: {
      store,
      logger,
      now,
      providers,
      notifier,
      notices,
      monitor,
      policy: config.jobs,
      prices,
      startRetryMs: waits.startRetryMs,
      openSlackFile: (file) => ({
        name: file.name,
        bytes: file.bytes ?? 0,
        open: () =>
          downloadSlackFile(file.url, config.slack.botToken, {
            maxBytes: config.maxFileBytes,
            ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
          }),
      }),
      ...(azureDeployer ? { azureDeployer } : {}),
    },
  };

  let receiver: Receiver;
  if (config.slack.mode === 'socket') {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken ?? '',
      logger: bolt,
      // apps.connections.open goes to the same Web API as everything else (GovSlack, a test server).
      installerOptions: { clientOptions },
    });
  } else {
    const signingSecret = config.slack.signingSecret ?? '';
    // Bolt's receiver dies on a signed `payload=null`: the guard reads each request before it does.
    receiver = guardHttpReceiver(
      new HTTPReceiver({
        signingSecret,
        customRoutes: [
          healthRoute(store),
          metricsRoute(metrics),
          ...(openaiWebhook ? [openaiWebhookRoute(openaiWebhook, logger)] : []),
        ],
        logger: bolt,
      }),
      { signingSecret, logger },
    );
  }

  // Whatever fails from here on, the store and any server already listening are closed again, so a
  // failed start leaves nothing behind (tests and supervisors start it again in the same process).
  const cleanup: Array<() => Promise<unknown>> = [
    () => priceFeed.stop(),
    () => store.close(),
    async () => pool?.close(),
  ];
  try {
    logger.info({ team: identity.team, bot: identity.user }, 'authenticated with Slack');

    // The token was verified above; handing Bolt the result spares it an auth.test of its own, whose
    // failure it would raise as an unhandled rejection.
    const authorization = {
      botToken: config.slack.botToken,
      ...(identity.bot_id ? { botId: identity.bot_id } : {}),
      ...(identity.user_id ? { botUserId: identity.user_id } : {}),
      ...(identity.team_id ? { teamId: identity.team_id } : {}),
    };
    const app = new App({ authorize: async () => authorization, receiver, logger: bolt, clientOptions });
    app.error(async (error) => {
      logger.error({ err: error }, 'unhandled error in a Slack listener');
    });
    meterSlackApp(app, metrics);
    const inFlight = trackInFlight(app);
    registerHandlers(app, services);

    let server: Server;
    if (config.slack.mode === 'http') {
      server = await listenOrExplain(() => (receiver as HTTPReceiver).start(config.port), config.port);
      cleanup.unshift(() => receiver.stop());
    } else {
      server = await listenOrExplain(() => startHealthServer(store, config.port, [metricsRoute(metrics)]), config.port);
      cleanup.unshift(() => closeServer(server));
      await connectOrExplain(app);
      cleanup.unshift(() => app.stop());
    }
    const port = (server.address() as AddressInfo).port;
    const schedules = startSchedules(
      [
        { name: 'monitor', cron: config.jobs.pollCron, run: () => monitor.tick() },
        ...(config.jobs.digest
          ? [
              {
                name: 'digest',
                cron: config.jobs.digest.cron,
                run: () => postDigest({ store, now, client: slackClient }, config.jobs.digest?.channel ?? ''),
              },
            ]
          : []),
        ...(azureRetailPricesUrl
          ? [{ name: 'azure-prices', cron: PRICE_FEED_CRON, run: () => priceFeed.refresh() }]
          : []),
      ],
      logger,
    );
    cleanup.unshift(() => schedules.stop());
    // Not awaited: a start must not wait on (or fail for) prices.azure.com.
    void priceFeed.refresh();
    void resumeJobs(services.jobs, jobLease).catch((error) => logger.warn({ err: error }, 'could not resume jobs'));
    logger.info(
      { mode: config.slack.mode, port, database: config.database.kind, providers: Object.keys(providers), replica },
      'finetune-bot is running',
    );

    let stopping: Promise<void> | undefined;
    return {
      port,
      monitor,
      stop() {
        stopping ??= (async () => {
          logger.info('shutting down');
          // Stop taking work first (HTTP server closed, socket disconnected), then let acked work finish.
          if (config.slack.mode === 'http') await receiver.stop();
          else await app.stop();
          const pending = inFlight.count;
          if ((await inFlight.drain(waits.drainMs)) === 'timed-out') {
            logger.warn({ pending: inFlight.count, waited_ms: waits.drainMs }, 'stopping with Slack work unfinished');
          } else if (pending > 0) {
            logger.info({ finished: pending }, 'finished the work in flight');
          }
          await schedules.stop();
          await monitor.releaseLeases();
          await priceFeed.stop();
          await openaiWebhook?.drain(waits.drainMs);
          if (config.slack.mode === 'socket') await closeServer(server);
          await pool?.close();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const undo of cleanup) await undo().catch(() => {});
    throw error;
  }
}

/** Runs the bot as a process: one clear line and exit 1 on bad configuration, clean exit on signals. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let bot: RunningBot;
  let logger: Logger;
  try {
    const config = loadConfigAndPrices(environmentWithDotEnv(env));
    logger = createLogger(config.logLevel, terminalStream());
    bot = await startBot(config, { logger });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StoreError) {
      for (const line of error.message.split('\n')) console.error(`finetune-bot: ${line}`);
    } else {
      // Unexpected: still one line by default; the stack only when asked for, since it can quote
      // request data.
      console.error(`finetune-bot: could not start: ${scrubSecrets((error as Error).message ?? String(error))}`);
      if (/^(debug|trace)$/.test(env.LOG_LEVEL ?? '')) console.error(scrubSecrets((error as Error).stack ?? ''));
    }
    process.exitCode = 1;
    return;
  }
  const shutdown = (signal: string) => {
    // A second signal, or a stop that hangs, should not leave the process stuck.
    setTimeout(() => process.exit(1), 10_000).unref();
    bot.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(`finetune-bot: error while stopping after ${signal}: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  // After the start, so a start that fails still ends with its one line and exit 1.
  installProcessGuard(logger, { stop: () => bot.stop() });
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.main) await main();
