import cron from 'node-cron';
import type { z } from 'zod';
import { httpUrl, idList, optionalText, positiveNumber } from './fields.ts';

/**
 * The environment for providers and jobs: which providers are configured, how jobs are watched,
 * who may start them and when one needs an approver. Part of the one schema in config/index.ts.
 */

export const DEFAULT_POLL_CRON = '*/30 * * * * *';
export const DEFAULT_STALL_MINUTES = 30;
export const DEFAULT_NOTICE_LEASE_SECONDS = 60;
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

function cronExpression(what: string) {
  return optionalText.refine((value) => value === undefined || cron.validate(value), {
    message: `expects a cron expression (node-cron, optional seconds field) ${what}`,
  });
}

export const jobFields = {
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: httpUrl('https://api.openai.com/v1'),
  OPENAI_ORG_ID: optionalText,
  OPENAI_PROJECT_ID: optionalText,
  AZURE_OPENAI_ENDPOINT: httpUrl('https://my-resource.openai.azure.com'),
  AZURE_OPENAI_API_KEY: optionalText,
  AZURE_SUBSCRIPTION_ID: optionalText,
  AZURE_RESOURCE_GROUP: optionalText,
  AZURE_OPENAI_ACCOUNT: optionalText,
  AZURE_ARM_ENDPOINT: httpUrl(DEFAULT_ARM_ENDPOINT),
  POLL_CRON: cronExpression("such as '*/30 * * * * *' (every 30 s)"),
  STALL_MINUTES: positiveNumber('a number of minutes above 0, at most 10080', 10_080),
  NOTICE_LEASE_SECONDS: positiveNumber('a number of seconds above 0, at most 3600', 3600),
  MAX_JOB_USD: positiveNumber('an amount in USD above 0', 1e9),
  APPROVER_USER_IDS: idList(USER_ID, 'Slack user ids such as U012ABCDEF'),
  ALLOWED_USER_IDS: idList(USER_ID, 'Slack user ids such as U012ABCDEF'),
  ADMIN_USER_IDS: idList(USER_ID, 'Slack user ids such as U012ABCDEF'),
  ALLOWED_CHANNEL_IDS: idList(CHANNEL_ID, 'Slack channel ids such as C012ABCDEF'),
  DIGEST_CRON: cronExpression("such as '0 9 * * 1' (Mondays 09:00)"),
  DIGEST_CHANNEL: optionalText.refine((v) => v === undefined || CHANNEL_ID.test(v), {
    message: 'expects a Slack channel id such as C012ABCDEF',
  }),
};

type JobEnv = { [K in keyof typeof jobFields]?: z.output<(typeof jobFields)[K]> };

const ARM_VARS = ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_OPENAI_ACCOUNT'] as const;

/** Rules that span variables; each issue names the variable to set. */
export function checkJobFields(env: { [K in keyof typeof jobFields]?: unknown }, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (env.MAX_JOB_USD !== undefined && !env.APPROVER_USER_IDS) {
    issue('APPROVER_USER_IDS', 'is required when MAX_JOB_USD is set: someone must be able to approve a costly job');
  }
  if (env.DIGEST_CRON && !env.DIGEST_CHANNEL) issue('DIGEST_CHANNEL', 'is required when DIGEST_CRON is set');
  if (env.DIGEST_CHANNEL && !env.DIGEST_CRON) issue('DIGEST_CRON', 'is required when DIGEST_CHANNEL is set');
  const armSet = ARM_VARS.filter((name) => env[name] !== undefined);
  if (armSet.length > 0 && armSet.length < ARM_VARS.length) {
    const missing = ARM_VARS.find((name) => env[name] === undefined) as string;
    issue(missing, `is required to deploy on Azure, with ${ARM_VARS.filter((n) => n !== missing).join(' and ')}`);
  }
  if (armSet.length > 0 && !env.AZURE_OPENAI_ENDPOINT) {
    issue('AZURE_OPENAI_ENDPOINT', 'is required when the Azure deployment variables are set');
  }
  if ((env.OPENAI_BASE_URL || env.OPENAI_ORG_ID || env.OPENAI_PROJECT_ID) && !env.OPENAI_API_KEY) {
    issue('OPENAI_API_KEY', 'is required when other OPENAI_ variables are set');
  }
  if (env.AZURE_OPENAI_API_KEY && !env.AZURE_OPENAI_ENDPOINT) {
    issue('AZURE_OPENAI_ENDPOINT', 'is required when AZURE_OPENAI_API_KEY is set');
  }
}

export interface ProvidersConfig {
  openai?: { apiKey: string; baseURL?: string; organization?: string; project?: string };
  azure?: {
    endpoint: string;
    /** Absent: Microsoft Entra ID through DefaultAzureCredential (AZURE_TENANT_ID, AZURE_CLIENT_ID, …). */
    apiKey?: string;
    deploy?: { subscriptionId: string; resourceGroup: string; account: string; armEndpoint: string };
  };
}

export interface JobsConfig {
  pollCron: string;
  stallMinutes: number;
  /** How long another process's unconfirmed notice is left alone before it is looked up in Slack. */
  noticeLeaseMs: number;
  maxJobUsd?: number;
  approvers: string[];
  /** May cancel, deploy and try anyone's job, besides its requester and the approvers. */
  admins: string[];
  /** Empty: anyone may start jobs, anywhere the bot is. */
  allowedUsers: string[];
  allowedChannels: string[];
  digest?: { cron: string; channel: string };
}

export function jobConfig(e: JobEnv): { providers: ProvidersConfig; jobs: JobsConfig } {
  const providers: ProvidersConfig = {};
  if (e.OPENAI_API_KEY) {
    providers.openai = {
      apiKey: e.OPENAI_API_KEY,
      ...(e.OPENAI_BASE_URL ? { baseURL: e.OPENAI_BASE_URL } : {}),
      ...(e.OPENAI_ORG_ID ? { organization: e.OPENAI_ORG_ID } : {}),
      ...(e.OPENAI_PROJECT_ID ? { project: e.OPENAI_PROJECT_ID } : {}),
    };
  }
  if (e.AZURE_OPENAI_ENDPOINT) {
    providers.azure = {
      endpoint: e.AZURE_OPENAI_ENDPOINT,
      ...(e.AZURE_OPENAI_API_KEY ? { apiKey: e.AZURE_OPENAI_API_KEY } : {}),
      ...(e.AZURE_SUBSCRIPTION_ID && e.AZURE_RESOURCE_GROUP && e.AZURE_OPENAI_ACCOUNT
        ? {
            deploy: {
              subscriptionId: e.AZURE_SUBSCRIPTION_ID,
              resourceGroup: e.AZURE_RESOURCE_GROUP,
              account: e.AZURE_OPENAI_ACCOUNT,
              armEndpoint: e.AZURE_ARM_ENDPOINT ?? DEFAULT_ARM_ENDPOINT,
            },
          }
        : {}),
    };
  }
  return {
    providers,
    jobs: {
      pollCron: e.POLL_CRON ?? DEFAULT_POLL_CRON,
      stallMinutes: e.STALL_MINUTES ?? DEFAULT_STALL_MINUTES,
      noticeLeaseMs: Math.round((e.NOTICE_LEASE_SECONDS ?? DEFAULT_NOTICE_LEASE_SECONDS) * 1000),
      ...(e.MAX_JOB_USD !== undefined ? { maxJobUsd: e.MAX_JOB_USD } : {}),
      approvers: e.APPROVER_USER_IDS ?? [],
      admins: e.ADMIN_USER_IDS ?? [],
      allowedUsers: e.ALLOWED_USER_IDS ?? [],
      allowedChannels: e.ALLOWED_CHANNEL_IDS ?? [],
      ...(e.DIGEST_CRON && e.DIGEST_CHANNEL ? { digest: { cron: e.DIGEST_CRON, channel: e.DIGEST_CHANNEL } } : {}),
    },
  };
}
