import { z } from 'zod';
import { httpUrl, optionalText, token } from './fields.ts';

/**
 * The environment for the hosted services beyond OpenAI and Azure (Together AI, Fireworks AI), for
 * OpenAI's webhooks, and for the price feed. Part of the one schema in config/index.ts.
 */

export const DEFAULT_TOGETHER_BASE_URL = 'https://api.together.xyz/v1';
export const DEFAULT_FIREWORKS_BASE_URL = 'https://api.fireworks.ai';
export const DEFAULT_AZURE_RETAIL_PRICES_URL = 'https://prices.azure.com/api/retail/prices';

/** Fireworks account ids are short slugs: they become part of every resource name. */
const ACCOUNT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const hostedFields = {
  TOGETHER_API_KEY: optionalText,
  TOGETHER_BASE_URL: httpUrl(DEFAULT_TOGETHER_BASE_URL),
  FIREWORKS_API_KEY: optionalText,
  FIREWORKS_ACCOUNT_ID: optionalText.refine((v) => v === undefined || ACCOUNT_ID.test(v), {
    message: 'expects your Fireworks account id, lowercase letters, digits and hyphens (as in accounts/<id>)',
  }),
  FIREWORKS_BASE_URL: httpUrl(DEFAULT_FIREWORKS_BASE_URL),
  OPENAI_WEBHOOK_SECRET: token('whsec_', 'the signing secret of an OpenAI webhook endpoint'),
  AZURE_RETAIL_PRICES_URL: optionalText.pipe(
    z
      .union([
        z.literal('off'),
        z
          .url({
            protocol: /^https?$/,
            error: `expects an http(s) URL such as ${DEFAULT_AZURE_RETAIL_PRICES_URL}, or off`,
          })
          .transform((url) => url.replace(/\/+$/, '')),
      ])
      .optional(),
  ),
};

type HostedEnv = { [K in keyof typeof hostedFields]?: z.output<(typeof hostedFields)[K]> };

/** Rules that span variables; each issue names the variable to set. */
export function checkHostedFields(env: Record<string, string | undefined>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (env.TOGETHER_BASE_URL && !env.TOGETHER_API_KEY) {
    issue('TOGETHER_API_KEY', 'is required when TOGETHER_BASE_URL is set');
  }
  if ((env.FIREWORKS_ACCOUNT_ID || env.FIREWORKS_BASE_URL) && !env.FIREWORKS_API_KEY) {
    issue('FIREWORKS_API_KEY', 'is required when other FIREWORKS_ variables are set');
  }
  if (env.FIREWORKS_API_KEY && !env.FIREWORKS_ACCOUNT_ID) {
    issue('FIREWORKS_ACCOUNT_ID', 'is required with FIREWORKS_API_KEY: the account the datasets and jobs belong to');
  }
  if (env.OPENAI_WEBHOOK_SECRET && !env.OPENAI_API_KEY) {
    issue('OPENAI_API_KEY', 'is required when OPENAI_WEBHOOK_SECRET is set: the webhook only speeds up OpenAI jobs');
  }
  if (env.OPENAI_WEBHOOK_SECRET && env.SLACK_APP_TOKEN) {
    issue(
      'OPENAI_WEBHOOK_SECRET',
      'needs HTTP mode (SLACK_SIGNING_SECRET and PORT, no SLACK_APP_TOKEN): in Socket Mode the bot has no public URL for OpenAI to call',
    );
  }
}

export interface HostedConfig {
  together?: { apiKey: string; baseURL?: string };
  fireworks?: { apiKey: string; accountId: string; baseURL?: string };
  /** OpenAI's webhook signing secret (whsec_…): POST /webhooks/openai is served when set. */
  openaiWebhookSecret?: string;
  /** Where Azure's retail prices are read daily; undefined: never (AZURE_RETAIL_PRICES_URL=off). */
  azureRetailPricesUrl?: string;
}

export function hostedConfig(e: HostedEnv): HostedConfig {
  const prices = e.AZURE_RETAIL_PRICES_URL ?? DEFAULT_AZURE_RETAIL_PRICES_URL;
  return {
    ...(e.TOGETHER_API_KEY
      ? {
          together: {
            apiKey: e.TOGETHER_API_KEY,
            ...(e.TOGETHER_BASE_URL ? { baseURL: e.TOGETHER_BASE_URL } : {}),
          },
        }
      : {}),
    ...(e.FIREWORKS_API_KEY && e.FIREWORKS_ACCOUNT_ID
      ? {
          fireworks: {
            apiKey: e.FIREWORKS_API_KEY,
            accountId: e.FIREWORKS_ACCOUNT_ID,
            ...(e.FIREWORKS_BASE_URL ? { baseURL: e.FIREWORKS_BASE_URL } : {}),
          },
        }
      : {}),
    ...(e.OPENAI_WEBHOOK_SECRET ? { openaiWebhookSecret: e.OPENAI_WEBHOOK_SECRET } : {}),
    ...(prices === 'off' ? {} : { azureRetailPricesUrl: prices }),
  };
}
