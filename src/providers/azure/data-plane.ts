import { createOpenAIClient, type OpenAIClientOptions } from '../openai/client.ts';
import { type AdapterTuning, createCoreProvider } from '../openai/core.ts';
import type { Provider } from '../types.ts';
import { type AzureTrainingType, azureDialect } from './dialect.ts';

export type { AzureTrainingType } from './dialect.ts';

export type AzureAuth = { apiKey: string } | { tokenProvider: () => Promise<string> };

export interface AzureOpenAIProviderOptions extends AdapterTuning {
  /** The resource's endpoint, e.g. https://my-resource.openai.azure.com (AZURE_OPENAI_ENDPOINT). */
  endpoint: string;
  /** A resource key, or Microsoft Entra ID tokens for scope https://cognitiveservices.azure.com/.default. */
  auth: AzureAuth;
  fetch?: OpenAIClientOptions['fetch'];
  maxRetries?: number;
  timeout?: number;
  /**
   * Sent when a spec names no tier. Global training runs in about 26 regions and costs least, so it
   * works for most resources; teams that must keep data in their region set their specs to `standard`.
   */
  defaultTrainingType?: AzureTrainingType;
}

/** `${endpoint}/openai/v1/`, whatever form of the endpoint was configured. */
export function azureBaseURL(endpoint: string): string {
  const root = endpoint
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/openai(\/v1)?$/i, '');
  return `${root}/openai/v1/`;
}

/**
 * The Azure OpenAI data-plane adapter: the same core as OpenAI's, on Azure's v1 API.
 *
 * It uses the plain OpenAI client on `${endpoint}/openai/v1/` rather than AzureOpenAI: the v1 API
 * takes no `api-version`, which AzureOpenAI insists on adding to every request, and AzureOpenAI
 * rewrites chat completions to `/deployments/{model}/…`, a route of the dated APIs that v1 does not
 * use. Authentication: a key goes in the `api-key` header (Authorization removed); Entra tokens go
 * through the SDK's async `apiKey` function as `Authorization: Bearer`, fetched before each request.
 *
 * `complete(model, …)` takes the deployment name: a tuned model answers only once deployed.
 */
export function createAzureOpenAIProvider(opts: AzureOpenAIProviderOptions): Provider {
  const { endpoint, auth, fetch, maxRetries, timeout, defaultTrainingType, ...tuning } = opts;
  // Tokens seen lately, so an error that echoes one back can be scrubbed.
  const recentTokens: string[] = [];
  const common = {
    baseURL: azureBaseURL(endpoint),
    ...(fetch ? { fetch } : {}),
    ...(maxRetries !== undefined ? { maxRetries } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
  };
  const client =
    'apiKey' in auth
      ? createOpenAIClient({
          ...common,
          apiKey: auth.apiKey,
          defaultHeaders: { 'api-key': auth.apiKey, Authorization: null },
        })
      : createOpenAIClient({
          ...common,
          apiKey: async () => {
            const token = await auth.tokenProvider();
            if (!recentTokens.includes(token)) recentTokens.push(token);
            if (recentTokens.length > 3) recentTokens.shift();
            return token;
          },
        });
  return createCoreProvider({
    client,
    dialect: azureDialect(defaultTrainingType ?? 'globalstandard'),
    secrets: () => ('apiKey' in auth ? [auth.apiKey] : recentTokens),
    ...tuning,
  });
}
