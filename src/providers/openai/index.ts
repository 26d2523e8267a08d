import type { Provider } from '../types.ts';
import { createOpenAIClient, type OpenAIClientOptions } from './client.ts';
import { type AdapterTuning, createCoreProvider } from './core.ts';
import { openaiDialect } from './dialect-openai.ts';

export type { AdapterTuning } from './core.ts';

export interface OpenAIProviderOptions extends AdapterTuning {
  apiKey: string;
  /** Default https://api.openai.com/v1 (OPENAI_BASE_URL in config/index.ts). */
  baseURL?: string;
  organization?: string;
  project?: string;
  fetch?: OpenAIClientOptions['fetch'];
  maxRetries?: number;
  timeout?: number;
}

/** The OpenAI fine-tuning adapter. Monitoring and "Try it" keep working after the 2027-01-06 wind-down. */
export function createOpenAIProvider(opts: OpenAIProviderOptions): Provider {
  const { apiKey, baseURL, organization, project, fetch, maxRetries, timeout, ...tuning } = opts;
  const client = createOpenAIClient({
    apiKey,
    ...(baseURL ? { baseURL } : {}),
    ...(organization ? { organization } : {}),
    ...(project ? { project } : {}),
    ...(fetch ? { fetch } : {}),
    ...(maxRetries !== undefined ? { maxRetries } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
  });
  return createCoreProvider({ client, dialect: openaiDialect, secrets: () => [apiKey], ...tuning });
}
