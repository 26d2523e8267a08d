import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Receiver, SocketModeReceiver, webApi } from '@slack/bolt';
import { registerHandlers } from '../handlers/index.ts';
import { type Config, ConfigError, environmentWithDotEnv, loadConfig } from './config.ts';
import { healthRoute, startHealthServer } from './health.ts';
import { boltLogger, createLogger, type Logger } from './logger.ts';
import type { Services } from './services.ts';
import { openStore, StoreError } from './store/index.ts';

/**
 * The composition root: config → store → Bolt app + handlers. The only module that imports
 * handlers/. Later layers (providers, the job monitor) join here.
 */

export interface RunningBot {
  /** The port the HTTP server listens on: Slack requests in HTTP mode, /healthz in both modes. */
  port: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  now?: () => Date;
}

export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = openStore(config.database);
  const services: Services = { store, logger, now: options.now ?? (() => new Date()) };
  const bolt = boltLogger(logger);

  let receiver: Receiver;
  if (config.slack.mode === 'socket') {
    receiver = new SocketModeReceiver({ appToken: config.slack.appToken ?? '', logger: bolt });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      customRoutes: [healthRoute(store)],
      logger: bolt,
    });
  }

  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // A few quick retries; a modal's trigger is dead after 3 s, so long back-offs help nobody.
    retryConfig: { retries: 2, minTimeout: 100, maxTimeout: 1000 },
    timeout: 10_000,
  };
  let identity: Awaited<ReturnType<webApi.WebClient['auth']['test']>>;
  try {
    identity = await new webApi.WebClient(config.slack.botToken, { ...clientOptions, logger: bolt }).auth.test();
    logger.info({ team: identity.team, bot: identity.user }, 'authenticated with Slack');
  } catch (error) {
    await store.close();
    const code = (error as { data?: { error?: string } }).data?.error;
    throw new ConfigError([
      code
        ? `SLACK_BOT_TOKEN was refused by Slack (${code}); copy the Bot User OAuth Token again`
        : `SLACK_BOT_TOKEN could not be checked: Slack did not answer (${(error as Error).message})`,
    ]);
  }

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
  registerHandlers(app, services);

  let server: Server;
  if (config.slack.mode === 'http') {
    server = await (receiver as HTTPReceiver).start(config.port);
  } else {
    server = await startHealthServer(store, config.port);
    await app.start();
  }
  const port = (server.address() as AddressInfo).port;
  logger.info({ mode: config.slack.mode, port, database: config.database.kind }, 'finetune-bot is running');

  let stopping: Promise<void> | undefined;
  return {
    port,
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down');
        if (config.slack.mode === 'http') {
          await receiver.stop();
        } else {
          await app.stop();
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
        await store.close();
      })();
      return stopping;
    },
  };
}

/** Runs the bot as a process: one clear line and exit 1 on bad configuration, clean exit on signals. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let bot: RunningBot;
  try {
    const config = loadConfig(environmentWithDotEnv(env));
    bot = await startBot(config);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StoreError) {
      for (const line of error.message.split('\n')) console.error(`finetune-bot: ${line}`);
      process.exitCode = 1;
      return;
    }
    throw error;
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
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.main) await main();
