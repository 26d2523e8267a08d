import type { Server } from 'node:http';
import { type App, webApi } from '@slack/bolt';
import { type Config, ConfigError, loadConfig } from './config.ts';
import type { Catalogue } from './cost/catalogue.ts';
import { loadCatalogue, PricesFileError } from './cost/load.ts';
import { slackErrorCode } from './slack/deliver.ts';

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
