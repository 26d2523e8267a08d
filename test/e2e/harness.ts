import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningBot, type StartOptions, startBot } from '../../src/main.ts';
import { ANSWER_ACTION_ID } from '../../src/slack/questionnaire-view.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { interactionBody, postSigned, viewSubmission } from '../support/slack-request.ts';

export const SECRET = 'e2e-signing-secret';
export const BOT_TOKEN = 'xoxb-e2e-token';
export const NOW = new Date('2026-11-23T12:00:00Z');

/** The real bot in HTTP mode on an ephemeral port, a real SQLite file, and Slack faked at the HTTP edge. */
export class Harness {
  readonly slack = new FakeSlack();
  readonly dir = mkdtempSync(join(tmpdir(), 'ftbot-e2e-'));
  readonly dbPath = join(this.dir, 'bot.db');
  bot: RunningBot | undefined;
  /** The bot's clock: starts at NOW; tests move it on to get past the job-message edit interval. */
  clock = NOW;

  /** `env` adds to or overrides the test configuration (MAX_FILE_MB, PRICES_FILE, …). */
  private readonly env: Record<string, string>;
  /** More start options (the GPU tests' stand-in trainer and short grace periods, shorter waits). */
  private readonly options: Omit<StartOptions, 'logger' | 'now'>;
  constructor(env: Record<string, string> = {}, options: Omit<StartOptions, 'logger' | 'now'> = {}) {
    this.env = env;
    this.options = options;
  }

  async start(): Promise<this> {
    if (!this.slack.url) await this.slack.start();
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      PORT: '0',
      SLACK_API_URL: this.slack.apiUrl,
      DATABASE_URL: `sqlite:${this.dbPath}`,
      AZURE_RETAIL_PRICES_URL: 'off', // tests never reach prices.azure.com
      ...this.env,
    });
    this.bot = await startBot(config, {
      ...this.options,
      // Production waits 1 s, then 2 s, before asking again for a start, and up to 8 s on stop for
      // acked work: tests that retry a start, or restart with a start hung, would sleep through them.
      waits: { startRetryMs: 10, drainMs: 1_000, ...this.options.waits },
      logger: createLogger('silent'),
      now: () => this.clock,
    });
    return this;
  }

  advance(ms: number): void {
    this.clock = new Date(this.clock.getTime() + ms);
  }

  get url(): string {
    return `http://127.0.0.1:${this.bot?.port}`;
  }

  post(body: string, contentType?: string, headers?: Record<string, string>) {
    return postSigned(`${this.url}/slack/events`, body, SECRET, contentType, headers);
  }

  /** A second, independent view of the database file, as an operator would open it. */
  async withStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
    const store = openStore({ kind: 'sqlite', path: this.dbPath });
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  }

  async restart(): Promise<void> {
    await this.bot?.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.bot?.stop();
    await this.slack.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A valid questionnaire submission, signed-ready: a tone use case with no reason to wait. */
export function adviceSubmission(channel = 'C0CHAN'): string {
  const a = ANSWER_ACTION_ID;
  return interactionBody(
    viewSubmission({
      callbackId: 'advise_questionnaire',
      privateMetadata: JSON.stringify({ v: 1, channel }),
      values: {
        useCase: { [a]: { type: 'plain_text_input', value: 'Support tone' } },
        taskType: { [a]: { type: 'static_select', selected_option: { value: 'style' } } },
        examples: { [a]: { type: 'plain_text_input', value: '300' } },
        dataVolume: { [a]: { type: 'radio_buttons', selected_option: { value: 'small' } } },
        specialization: { [a]: { type: 'radio_buttons', selected_option: { value: 'medium' } } },
        latency: { [a]: { type: 'radio_buttons', selected_option: { value: 'strict' } } },
        sensitivity: { [a]: { type: 'radio_buttons', selected_option: { value: 'public' } } },
        monthlyTokens: { [a]: { type: 'plain_text_input', value: '2M' } },
        knowledgeChange: { [a]: { type: 'static_select', selected_option: { value: 'rarely' } } },
      },
    }),
  );
}
