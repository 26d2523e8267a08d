import { ProviderError } from '../types.ts';

/**
 * Deploying a tuned model through Azure Resource Manager (REST; four calls do not earn the
 * @azure/arm-cognitiveservices dependency): PUT the deployment, then GET until its
 * provisioningState settles. Research: shared/research/provider-apis.md §4.4.
 */

export type DeploymentSku = 'standard' | 'GlobalStandard' | 'developertier';

export interface DeployerOptions {
  subscriptionId: string;
  resourceGroup: string;
  account: string;
  armEndpoint?: string;
  apiVersion?: string;
  token: () => Promise<string>;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Deployment {
  name: string;
  model: string;
  state: string;
  sku: string;
}

export interface AzureDeployer {
  deploy(input: { name: string; model: string; sku: DeploymentSku; capacity?: number }): Promise<Deployment>;
  get(name: string): Promise<Deployment | undefined>;
  delete(name: string): Promise<void>;
}

// Azure: 2-64 characters, letters, digits, '-', '_' and '.', starting with a letter or digit.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

interface ArmDeployment {
  name?: string;
  sku?: { name?: string };
  properties?: { provisioningState?: string; model?: { name?: string } };
}

export function createAzureDeployer(o: DeployerOptions): AzureDeployer {
  const arm = (o.armEndpoint ?? 'https://management.azure.com').replace(/\/+$/, '');
  const apiVersion = o.apiVersion ?? '2024-10-01';
  const doFetch = o.fetch ?? fetch;
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const base =
    `${arm}/subscriptions/${encodeURIComponent(o.subscriptionId)}/resourceGroups/${encodeURIComponent(o.resourceGroup)}` +
    `/providers/Microsoft.CognitiveServices/accounts/${encodeURIComponent(o.account)}/deployments`;
  const where = `account ${o.account} in resource group ${o.resourceGroup} (subscription ${o.subscriptionId})`;

  async function call(method: string, name: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    if (!NAME.test(name)) {
      throw new ProviderError('invalid_request', `“${name}” is not a valid deployment name.`, {
        hint: 'Use 2 to 64 letters, digits, -, _ or ., starting with a letter or digit.',
      });
    }
    const token = await o.token();
    let res: Response;
    try {
      res = await doFetch(`${base}/${encodeURIComponent(name)}?api-version=${apiVersion}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ProviderError('network', `Azure Resource Manager did not answer (${(error as Error).message}).`, {
        hint: 'Check the network path to the ARM endpoint, or AZURE_ARM_ENDPOINT for a sovereign cloud.',
        retryable: true,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  }

  function failure(status: number, json: unknown): ProviderError {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const said = err?.message ? ` Azure says: ${err.message.slice(0, 300)}` : '';
    if (status === 401) {
      return new ProviderError('auth', `Azure Resource Manager refused the bot’s token.${said}`, {
        hint: 'The identity needs a token for the management scope; check AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET.',
        status,
      });
    }
    if (status === 403) {
      return new ProviderError('permission', `The bot may not create deployments on ${where}.${said}`, {
        hint: 'Give its identity Microsoft.CognitiveServices/accounts/deployments/write on the account (e.g. the Cognitive Services Contributor role).',
        status,
      });
    }
    if (status === 404) {
      return new ProviderError('not_found', `Azure found no ${where}.${said}`, {
        hint: 'Check AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP and AZURE_OPENAI_ACCOUNT.',
        status,
      });
    }
    if (/quota/i.test(`${err?.code ?? ''} ${err?.message ?? ''}`)) {
      return new ProviderError('rate_limit', `The account has no quota left for another deployment.${said}`, {
        hint: 'Delete a deployment you no longer use (Azure allows 5 fine-tuned deployments per resource) or ask for more quota.',
        status,
      });
    }
    if (status === 409) {
      return new ProviderError('invalid_request', `Azure could not change the deployment right now.${said}`, {
        hint: 'Another change to it is under way; try again in a minute.',
        status,
        retryable: true,
      });
    }
    if (status >= 500 || status === 429) {
      return new ProviderError('unavailable', `Azure Resource Manager is having trouble (HTTP ${status}).`, {
        hint: 'Try again in a few minutes.',
        status,
        retryable: true,
      });
    }
    return new ProviderError('invalid_request', `Azure refused the deployment (HTTP ${status}).${said}`, {
      hint: 'Check the model name and the SKU.',
      status,
    });
  }

  const toDeployment = (name: string, d: ArmDeployment | undefined): Deployment => ({
    name: d?.name ?? name,
    model: d?.properties?.model?.name ?? '',
    state: d?.properties?.provisioningState ?? 'Unknown',
    sku: d?.sku?.name ?? '',
  });

  return {
    async deploy({ name, model, sku, capacity }) {
      const body = {
        sku: { name: sku, capacity: capacity ?? (sku === 'developertier' ? 50 : 1) },
        properties: { model: { format: 'OpenAI', name: model, version: '1' } },
      };
      const put = await call('PUT', name, body);
      if (put.status !== 200 && put.status !== 201) throw failure(put.status, put.json);
      const deadline = Date.now() + (o.timeoutMs ?? 15 * 60_000);
      let current = toDeployment(name, put.json as ArmDeployment);
      while (!/^(Succeeded|Failed|Canceled)$/.test(current.state)) {
        if (Date.now() >= deadline) {
          throw new ProviderError('unavailable', `The deployment ${name} is still being created (${current.state}).`, {
            hint: 'It may finish on its own; the Azure portal shows its state.',
            retryable: true,
          });
        }
        await sleep(o.pollIntervalMs ?? 10_000);
        const got = await call('GET', name);
        if (got.status !== 200) throw failure(got.status, got.json);
        current = toDeployment(name, got.json as ArmDeployment);
      }
      if (current.state !== 'Succeeded') {
        throw new ProviderError(
          'invalid_request',
          `Azure could not create the deployment ${name} (${current.state}).`,
          {
            hint: 'The Azure portal shows why; the model may not be deployable in this region or SKU.',
          },
        );
      }
      return current;
    },
    async get(name) {
      const got = await call('GET', name);
      if (got.status === 404) return undefined;
      if (got.status !== 200) throw failure(got.status, got.json);
      return toDeployment(name, got.json as ArmDeployment);
    },
    async delete(name) {
      const res = await call('DELETE', name);
      if (res.status === 404 || res.status === 200 || res.status === 202 || res.status === 204) return;
      throw failure(res.status, res.json);
    },
  };
}
