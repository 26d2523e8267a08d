import { createJsonClient, type FailureHints, type JsonClient, type JsonClientOptions } from '../http/json-client.ts';

export const TOGETHER_LABEL = 'Together AI';
export const TOGETHER_BASE_URL = 'https://api.together.xyz/v1';

export const TOGETHER_HINTS: FailureHints = {
  auth: 'Check TOGETHER_API_KEY: create a key at api.together.ai → Settings → API keys.',
  permission: 'The key is valid but may not do this: check the key’s organisation and its fine-tuning access.',
  quota: 'Add credit or raise the spending limit at api.together.ai → Settings → Billing, then start the job again.',
  notFound: 'Together AI has no such job, file or model: it may have been deleted, or belong to another key.',
};

export type TogetherClientOptions = Omit<JsonClientOptions, 'label' | 'baseURL'> & { baseURL?: string };

export function createTogetherClient(o: TogetherClientOptions): JsonClient {
  return createJsonClient({ ...o, label: TOGETHER_LABEL, baseURL: o.baseURL ?? TOGETHER_BASE_URL });
}
