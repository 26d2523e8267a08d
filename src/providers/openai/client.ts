import OpenAI from 'openai';

export interface OpenAIClientOptions {
  /** A key, or a function the SDK calls before every request (Microsoft Entra tokens on Azure). */
  apiKey: string | (() => Promise<string>);
  baseURL?: string;
  organization?: string;
  project?: string;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Retries of 408/409/429/5xx and connection errors; the SDK's default backoff starts at 0.5 s. */
  maxRetries?: number;
  /** Per request, in milliseconds. Uploads set their own, longer one. */
  timeout?: number;
  defaultHeaders?: Record<string, string | null>;
}

export const DEFAULT_MAX_RETRIES = 2;
/**
 * A minute is plenty for the small JSON calls the bot makes; the SDK's default of ten minutes
 * would hold a monitor tick hostage to one hung connection.
 */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The SDK client, built only from what it is given. Every option that the SDK would otherwise read
 * from the environment (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID) is set
 * explicitly, so the Azure adapter never picks up OpenAI's variables and configuration stays in
 * config/index.ts.
 */
export function createOpenAIClient(o: OpenAIClientOptions): OpenAI {
  return new OpenAI({
    apiKey: o.apiKey,
    baseURL: o.baseURL ?? 'https://api.openai.com/v1',
    organization: o.organization ?? null,
    project: o.project ?? null,
    webhookSecret: null,
    adminAPIKey: null,
    // Our errors reach the log as ProviderErrors (scrubbed); the SDK's own console output would not be.
    logLevel: 'off',
    maxRetries: o.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: o.timeout ?? DEFAULT_TIMEOUT_MS,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.defaultHeaders ? { defaultHeaders: o.defaultHeaders } : {}),
  });
}
