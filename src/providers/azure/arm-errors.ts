import { ProviderError } from '../types.ts';
import { type ArmResponse, armError } from './arm-request.ts';

export interface ArmTarget {
  subscriptionId: string;
  resourceGroup: string;
  account: string;
}

export type ArmOperation = 'deploy' | 'get' | 'delete' | 'list';

export interface FailureContext {
  op: ArmOperation;
  target: ArmTarget;
  /** The deployment the call was about. */
  name?: string;
  clean: (text: string) => string;
}

const ACTION: Record<ArmOperation, string> = {
  deploy: 'Microsoft.CognitiveServices/accounts/deployments/write',
  get: 'Microsoft.CognitiveServices/accounts/deployments/read',
  list: 'Microsoft.CognitiveServices/accounts/deployments/read',
  delete: 'Microsoft.CognitiveServices/accounts/deployments/delete',
};

const VERB: Record<ArmOperation, string> = {
  deploy: 'create deployments on',
  get: 'read deployments of',
  list: 'list deployments of',
  delete: 'delete deployments of',
};

const QUOTA = /quota/i;
// ARM's codes for a missing subscription, resource group or account (the parent of a deployment).
const PARENT_MISSING = new Set(['ParentResourceNotFound', 'ResourceGroupNotFound', 'SubscriptionNotFound']);

export function describeAccount(t: ArmTarget): string {
  return `Azure OpenAI account “${t.account}” in resource group “${t.resourceGroup}” (subscription ${t.subscriptionId})`;
}

/**
 * True when a 404 is about the account (or its resource group or subscription) rather than the
 * deployment: a missing deployment is an answer, a missing account is a configuration mistake.
 */
export function isAccountMissing(res: ArmResponse): boolean {
  const { code, message = '' } = armError(res.body);
  if (code && PARENT_MISSING.has(code)) return true;
  return code === 'ResourceNotFound' && !/\/deployments\//i.test(message);
}

/** A failed ARM answer as a ProviderError a person can act on; ARM's own words follow ours. */
export function armFailure(res: ArmResponse, ctx: FailureContext): ProviderError {
  const { status } = res;
  const { code, message } = armError(res.body);
  const said = message ? ` Azure says: ${ctx.clean(message).slice(0, 400)}` : '';
  const requestId = res.headers.get('x-ms-request-id') ?? res.headers.get('x-ms-correlation-request-id');
  const meta = { status, ...(requestId ? { requestId } : {}) };
  const account = describeAccount(ctx.target);
  const deployment = ctx.name ? `deployment “${ctx.name}”` : 'the deployment';

  if (status === 401) {
    return new ProviderError('auth', `Azure Resource Manager did not accept the bot’s token.${said}`, {
      hint:
        'The identity needs a token for the management scope (https://management.azure.com/.default, or ' +
        'AZURE_ARM_ENDPOINT’s own for a sovereign cloud) from the tenant that holds the subscription: check ' +
        'AZURE_TENANT_ID and the identity’s credentials.',
      ...meta,
    });
  }
  if (status === 403) {
    return new ProviderError('permission', `The bot’s identity may not ${VERB[ctx.op]} the ${account}.${said}`, {
      hint:
        `Give the identity ${ACTION[ctx.op]} on the account, for example the Cognitive Services Contributor or ` +
        'Azure AI Owner role (the account’s Access control (IAM) page). New role assignments can take a few ' +
        'minutes to apply.',
      ...meta,
    });
  }
  if (status === 404) {
    return new ProviderError('not_found', `Azure found no ${account}.${said}`, {
      hint: 'Check AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP and AZURE_OPENAI_ACCOUNT (the resource’s name, not its endpoint).',
      ...meta,
    });
  }
  if (QUOTA.test(`${code ?? ''} ${message ?? ''}`)) {
    return new ProviderError('rate_limit', `The ${account} has no quota left for ${deployment}.${said}`, {
      hint:
        'Delete a deployment you no longer use (a resource holds at most 5 fine-tuned deployments), choose a ' +
        'smaller capacity, or request more quota on the Quotas page of the Azure AI Foundry portal.',
      ...meta,
    });
  }
  if (status === 409) {
    return new ProviderError(
      'unavailable',
      `Azure is busy with another change to ${deployment} or its account.${said}`,
      {
        hint: 'Wait for that change to finish (the Azure portal shows it), then try again.',
        retryable: true,
        ...meta,
      },
    );
  }
  if (status === 429) {
    return new ProviderError('rate_limit', `Azure Resource Manager asked the bot to slow down.${said}`, {
      hint: 'Try again in a minute.',
      retryable: true,
      ...meta,
    });
  }
  if (status >= 500) {
    return new ProviderError('unavailable', `Azure Resource Manager is having trouble (HTTP ${status}).${said}`, {
      hint: 'Try again in a few minutes; the Azure status page shows known incidents.',
      retryable: true,
      ...meta,
    });
  }
  return new ProviderError('invalid_request', `Azure refused the request for ${deployment} (HTTP ${status}).${said}`, {
    hint:
      'Check the model is the tuned model’s name (e.g. gpt-4.1-mini-2025-04-14.ft-…), and that the SKU is offered ' +
      'for it in this account’s region.',
    ...meta,
  });
}
