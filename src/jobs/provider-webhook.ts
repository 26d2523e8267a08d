import OpenAI, { InvalidWebhookSignatureError } from 'openai';
import type { Logger } from '../logger.ts';
import { ACTIVE_PHASES, type Store } from '../store/types.ts';
import type { Monitor } from './monitor.ts';

/**
 * OpenAI's webhooks (POST /webhooks/openai): a verified `fine_tuning.job.*` ending makes the monitor
 * poll that one job at once, so the channel hears of it within seconds instead of at the next
 * round. The webhook only says "look now"; the poll, and the store, stay the truth, so a forged,
 * lost or repeated delivery can at worst cost one provider call.
 */

/** With the webhook configured, rounds poll an OpenAI job at most this often: for its progress only. */
export const POLL_WITH_WEBHOOK_MS = 5 * 60_000;

/** The Standard Webhooks window, as OpenAI's SDK defaults to it: older (or newer) deliveries are refused. */
const TOLERANCE_SECONDS = 300;

const ENDINGS = new Set(['fine_tuning.job.succeeded', 'fine_tuning.job.failed', 'fine_tuning.job.cancelled']);

const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

export const REFUSED = 'refused an OpenAI webhook delivery';

export type Headers = Record<string, string | string[] | undefined>;

export interface WebhookAnswer {
  status: 200 | 400;
  /** What was done, for tests and logs: never the body or a secret. */
  outcome: 'refused' | 'replayed' | 'ignored' | 'unknown-job' | 'polling';
}

export interface OpenAIWebhookOptions {
  /** The endpoint's signing secret, `whsec_…`. */
  secret: string;
  store: Pick<Store, 'claimRequest' | 'listActiveJobs' | 'getJob'>;
  monitor: Pick<Monitor, 'tick'>;
  logger: Logger;
  /** A poll that found the monitor busy (a round, or a Refresh of the same job) is tried again this often… */
  retryDelayMs?: number;
  /** …this many times; after that the next round picks the job up. */
  retries?: number;
}

export interface ProviderWebhook {
  /** Verifies and answers one delivery; the poll it asks for starts after the answer is sent. */
  receive(body: string, headers: Headers): Promise<WebhookAnswer>;
  /** Stops retrying and waits (at most `ms`) for polls already started: the store closes next. */
  drain(ms: number): Promise<void>;
}

/** How many more polls a webhook's job gets while OpenAI's API has not caught up with its ending. */
const SETTLE_TRIES = 5;

export function createOpenAIWebhook(o: OpenAIWebhookOptions): ProviderWebhook {
  // Verification only, never a request: a placeholder key keeps the real one out of this client,
  // and nothing is read from the environment behind config/index.ts's back.
  const webhooks = new OpenAI({
    apiKey: 'unused-webhook-verification-only',
    webhookSecret: o.secret,
    organization: null,
    project: null,
    adminAPIKey: null,
    logLevel: 'off',
  }).webhooks;
  const retryDelayMs = o.retryDelayMs ?? 1000;
  const retries = o.retries ?? 30;
  const pending = new Set<Promise<void>>();
  let closed = false;

  function refuse(reason: string): WebhookAnswer {
    o.logger.warn({ reason }, REFUSED);
    return { status: 400, outcome: 'refused' };
  }

  /**
   * Polls until the job's ending is recorded: a busy monitor is waited for, and so is OpenAI's own
   * API, which can still say `running` a moment after it sent the ending (or fail a call) — the
   * delivery is already claimed, so giving up here would leave the ending to the next slow round.
   */
  async function poll(jobId: string): Promise<void> {
    let unsettled = 0;
    for (let attempt = 0; attempt <= retries && !closed; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** Math.min(unsettled, 4)));
      if (closed) return;
      const report = await o.monitor.tick(jobId).catch((error: unknown) => {
        o.logger.warn({ err: error, job: jobId }, 'could not poll a job a webhook named; trying again');
        return undefined;
      });
      if (report?.skipped) continue;
      const job = await o.store.getJob(jobId).catch(() => undefined);
      if (!job || !ACTIVE_PHASES.includes(job.phase) || ++unsettled > SETTLE_TRIES) return;
    }
  }

  function pollSoon(jobId: string): void {
    // setImmediate: the caller's response is written first; the provider call never holds it.
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => poll(jobId))
      .catch((error: unknown) => o.logger.warn({ err: error, job: jobId }, 'could not poll a job a webhook named'))
      .finally(() => pending.delete(work));
    pending.add(work);
  }

  return {
    async receive(body, headers) {
      const picked: Record<string, string> = {};
      for (const name of HEADERS) {
        const value = headers[name];
        if (typeof value !== 'string' || value === '') return refuse(`missing ${name} header`);
        picked[name] = value;
      }
      let event: unknown;
      try {
        event = await webhooks.unwrap(body, picked, o.secret, TOLERANCE_SECONDS);
      } catch (error) {
        return refuse(reasonOf(error));
      }
      const { type, jobId } = ending(event);
      if (!type || !jobId) {
        o.logger.debug({ type }, 'an OpenAI webhook event this bot does not act on');
        return { status: 200, outcome: 'ignored' };
      }
      // Standard Webhooks resend a delivery under its id: the first copy polls, the rest are answered.
      if (!(await o.store.claimRequest(`openai-webhook:${picked['webhook-id']}`))) {
        o.logger.debug({ type }, 'an OpenAI webhook delivered again; already handled');
        return { status: 200, outcome: 'replayed' };
      }
      const job = (await o.store.listActiveJobs()).find((j) => j.provider === 'openai' && j.providerJobId === jobId);
      if (!job) {
        // Ended already (a Cancel, an earlier poll), or a job of another app in the same project.
        o.logger.debug({ type }, 'an OpenAI webhook for no active job of ours');
        return { status: 200, outcome: 'unknown-job' };
      }
      o.logger.info({ job: job.id, type }, 'OpenAI says a job ended; polling it now');
      pollSoon(job.id);
      return { status: 200, outcome: 'polling' };
    },

    async drain(ms) {
      closed = true;
      if (pending.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      });
      await Promise.race([Promise.allSettled([...pending]), timeout]);
      clearTimeout(timer);
    },
  };
}

/** The event's type and job id when it is an ending of a fine-tuning job; nothing otherwise. */
function ending(event: unknown): { type?: string; jobId?: string } {
  if (typeof event !== 'object' || event === null) return {};
  const { type, data } = event as { type?: unknown; data?: unknown };
  if (typeof type !== 'string' || !ENDINGS.has(type)) return {};
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? { type, jobId: id } : { type };
}

/** One short reason per refusal, from the SDK's error; never the body, a header value or the secret. */
function reasonOf(error: unknown): string {
  if (error instanceof SyntaxError) return 'signed body is not JSON';
  if (!(error instanceof InvalidWebhookSignatureError)) return 'could not verify';
  const message = error.message;
  if (/too old/.test(message)) return 'stale timestamp';
  if (/too new/.test(message)) return 'timestamp in the future';
  if (/timestamp format/.test(message)) return 'malformed timestamp';
  return 'bad signature';
}
