import { CATALOGUE } from '../../cost/catalogue.ts';
import { ProviderError } from '../types.ts';
import { type ArmTarget, armFailure, describeAccount, isAccountMissing } from './arm-errors.ts';
import { type ArmResponse, armError, armRequester, retryAfterMs } from './arm-request.ts';

/**
 * Deploying a tuned model through Azure Resource Manager: PUT the deployment, then follow it until
 * its provisioningState settles. Plain REST rather than @azure/arm-cognitiveservices: four calls
 * do not earn a large dependency. Research: shared/research/provider-apis.md §4.4.
 */

// The cost facts to show before deploying live in the price catalogue (dated, sourced); these
// re-export its built-in figures for callers that have no loaded catalogue at hand.
/** Standard and Global Standard deployments bill this per hour while they stand, used or not. */
export const AZURE_HOSTING_USD_PER_HOUR = CATALOGUE.azure.hosting.standard_per_hour;
/** Azure deletes a deployment after this many days without calls; the model is kept. */
export const IDLE_DELETION_DAYS = CATALOGUE.azure.hosting.idle_delete_days;

export type AzureDeploymentSku = 'standard' | 'GlobalStandard' | 'developertier';

export interface AzureDeployerOptions extends ArmTarget {
  /** Azure Resource Manager; another cloud's for sovereign clouds (e.g. https://management.usgovcloudapi.net). */
  armEndpoint?: string;
  apiVersion?: string;
  /** Management-scope tokens (azureTokenProviders().management). */
  token: () => Promise<string>;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DeployRequest {
  /** The deployment name: what calls to the model use. */
  name: string;
  /** The tuned model, e.g. gpt-4.1-mini-2025-04-14.ft-abc123, or a checkpoint (ftchkpt-…). */
  model: string;
  sku: AzureDeploymentSku;
  capacity?: number;
}

export interface AzureDeployment {
  name: string;
  model: string;
  /** ARM's provisioningState: Accepted, Creating, Succeeded, Failed, Canceled, Deleting, … */
  state: string;
  sku: string;
  capacity?: number;
}

export interface AzureDeployer {
  deploy(req: DeployRequest): Promise<AzureDeployment>;
  get(name: string): Promise<AzureDeployment | undefined>;
  delete(name: string): Promise<void>;
  list(): Promise<AzureDeployment[]>;
}

export const DEFAULT_API_VERSION = '2024-10-01';
const DEFAULT_POLL_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 20 * 60_000;
// Azure shows developertier with capacity 50; the others are sold in units of 1.
const DEFAULT_CAPACITY: Record<AzureDeploymentSku, number> = { standard: 1, GlobalStandard: 1, developertier: 50 };
const SKUS = new Set<string>(Object.keys(DEFAULT_CAPACITY));

// 2–64 letters, digits, '-', '_' or '.': the portal's rule. ARM's REST spec publishes no pattern,
// so this is checked here to fail before any call with words a person understands.
const DEPLOYMENT_NAME = /^[A-Za-z0-9._-]{2,64}$/;

export function checkDeploymentName(name: string): void {
  if (DEPLOYMENT_NAME.test(name)) return;
  const shown = name.length > 70 ? `${name.slice(0, 70)}…` : name;
  throw new ProviderError('invalid_request', `“${shown}” is not a valid Azure deployment name.`, {
    hint: 'Use 2 to 64 characters: letters, digits, hyphens (-), underscores (_) and periods (.).',
  });
}

interface ArmDeployment {
  name?: string;
  sku?: { name?: string; capacity?: number };
  properties?: { provisioningState?: string; model?: { name?: string }; error?: { message?: string } };
}

function toDeployment(d: ArmDeployment | undefined, fallbackName: string): AzureDeployment {
  const capacity = d?.sku?.capacity;
  return {
    name: d?.name ?? fallbackName,
    model: d?.properties?.model?.name ?? '',
    state: d?.properties?.provisioningState ?? 'Unknown',
    sku: d?.sku?.name ?? '',
    ...(typeof capacity === 'number' ? { capacity } : {}),
  };
}

const FAILED = new Set(['Failed', 'Canceled', 'Cancelled']);
const settled = (state: string) => state === 'Succeeded' || FAILED.has(state);

export function createAzureDeployer(opts: AzureDeployerOptions): AzureDeployer {
  const arm = (opts.armEndpoint ?? 'https://management.azure.com').trim().replace(/\/+$/, '');
  const apiVersion = opts.apiVersion ?? DEFAULT_API_VERSION;
  const pollMs = opts.pollIntervalMs ?? DEFAULT_POLL_MS;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const target: ArmTarget = {
    subscriptionId: opts.subscriptionId,
    resourceGroup: opts.resourceGroup,
    account: opts.account,
  };
  const requester = armRequester({ armEndpoint: arm, token: opts.token, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  const collection =
    `${arm}/subscriptions/${encodeURIComponent(opts.subscriptionId)}` +
    `/resourceGroups/${encodeURIComponent(opts.resourceGroup)}` +
    `/providers/Microsoft.CognitiveServices/accounts/${encodeURIComponent(opts.account)}/deployments`;
  const query = `api-version=${encodeURIComponent(apiVersion)}`;
  const urlOf = (name: string) => `${collection}/${encodeURIComponent(name)}?${query}`;
  const fail = (res: ArmResponse, op: 'deploy' | 'get' | 'delete' | 'list', name?: string) =>
    armFailure(res, { op, target, clean: requester.clean, ...(name ? { name } : {}) });

  function failedDeployment(name: string, state: string, why: string | undefined): ProviderError {
    const said = why ? ` Azure says: ${requester.clean(why).slice(0, 400)}` : '';
    return new ProviderError('invalid_request', `Azure could not create deployment “${name}” (${state}).${said}`, {
      hint:
        'The Azure portal’s Deployments page shows the details. Check the model can be deployed with this SKU in ' +
        `the region of the ${describeAccount(target)}.`,
    });
  }

  async function readDeployment(name: string): Promise<AzureDeployment> {
    const res = await requester.send('GET', urlOf(name));
    if (res.status !== 200) throw fail(res, 'deploy', name);
    return toDeployment(res.body as ArmDeployment, name);
  }

  /**
   * Follows the deployment until it settles. Polls ARM's Azure-AsyncOperation URL when the PUT gave
   * one on the ARM endpoint (it carries the failure's reason), else the deployment itself; waits as
   * long as Retry-After asks. Answers worth retrying (5xx, 429) while polling do not end the wait.
   */
  async function follow(name: string, first: ArmResponse): Promise<AzureDeployment> {
    const started = Date.now();
    let waited = 0;
    const asyncHeader = first.headers.get('azure-asyncoperation');
    const operation = asyncHeader && requester.sameOrigin(asyncHeader) ? asyncHeader : undefined;
    let current = toDeployment(first.body as ArmDeployment, name);
    let last = first;
    for (;;) {
      const wait = retryAfterMs(last.headers) ?? pollMs;
      if (Math.max(waited, Date.now() - started) + wait > timeoutMs) {
        const minutes = Math.round(timeoutMs / 60_000);
        throw new ProviderError(
          'unavailable',
          `Deployment “${name}” is still provisioning (${current.state}) after ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          {
            hint: 'Azure carries on without the bot: the Azure portal’s Deployments page shows when it is ready.',
            retryable: true,
          },
        );
      }
      await sleep(wait);
      waited += wait;
      last = await requester.send('GET', operation ?? urlOf(name));
      if (last.status !== 200) {
        const error = fail(last, 'deploy', name);
        if (error.retryable) continue;
        throw error;
      }
      if (operation) {
        const status = String((last.body as { status?: unknown } | undefined)?.status ?? 'InProgress');
        if (FAILED.has(status)) throw failedDeployment(name, status, armError(last.body).message);
        if (status !== 'Succeeded') {
          current = { ...current, state: status };
          continue;
        }
        current = await readDeployment(name);
        if (!settled(current.state)) current = { ...current, state: 'Succeeded' };
      } else {
        current = toDeployment(last.body as ArmDeployment, name);
      }
      if (current.state === 'Succeeded') return current;
      if (FAILED.has(current.state)) {
        throw failedDeployment(name, current.state, (last.body as ArmDeployment).properties?.error?.message);
      }
    }
  }

  return {
    async deploy({ name, model, sku, capacity }) {
      checkDeploymentName(name);
      if (!model.trim()) {
        throw new ProviderError('invalid_request', 'No model was given to deploy.', {
          hint: 'Deploy a finished job’s tuned model (its fine_tuned_model) or one of its checkpoints.',
        });
      }
      if (!SKUS.has(sku)) {
        throw new ProviderError('invalid_request', `“${sku}” is not a deployment SKU the bot knows.`, {
          hint: 'Use standard, GlobalStandard or developertier.',
        });
      }
      if (capacity !== undefined && !(Number.isInteger(capacity) && capacity > 0)) {
        throw new ProviderError('invalid_request', `Capacity ${capacity} is not a whole number above 0.`, {
          hint: 'Leave it out for the SKU’s default.',
        });
      }
      const body = {
        sku: { name: sku, capacity: capacity ?? DEFAULT_CAPACITY[sku] },
        properties: { model: { format: 'OpenAI', name: model, version: '1' } },
      };
      const put = await requester.send('PUT', urlOf(name), body);
      if (put.status !== 200 && put.status !== 201) throw fail(put, 'deploy', name);
      const created = toDeployment(put.body as ArmDeployment, name);
      if (created.state === 'Succeeded') return created;
      if (FAILED.has(created.state)) {
        throw failedDeployment(name, created.state, (put.body as ArmDeployment).properties?.error?.message);
      }
      return follow(name, put);
    },

    async get(name) {
      checkDeploymentName(name);
      const res = await requester.send('GET', urlOf(name));
      if (res.status === 404 && !isAccountMissing(res)) return undefined;
      if (res.status !== 200) throw fail(res, 'get', name);
      return toDeployment(res.body as ArmDeployment, name);
    },

    async delete(name) {
      checkDeploymentName(name);
      const res = await requester.send('DELETE', urlOf(name));
      // 202: Azure deletes in the background; billing stops with the request.
      if (res.status === 200 || res.status === 202 || res.status === 204) return;
      if (res.status === 404 && !isAccountMissing(res)) return;
      throw fail(res, 'delete', name);
    },

    async list() {
      const out: AzureDeployment[] = [];
      let url: string | undefined = `${collection}?${query}`;
      // nextLink is followed only on the ARM endpoint, so the token never leaves it.
      for (let page = 0; url && page < 50; page++) {
        const res = await requester.send('GET', url);
        if (res.status !== 200) throw fail(res, 'list');
        const { value, nextLink } = (res.body ?? {}) as { value?: ArmDeployment[]; nextLink?: string };
        for (const d of value ?? []) out.push(toDeployment(d, ''));
        url = nextLink && requester.sameOrigin(nextLink) ? nextLink : undefined;
      }
      return out;
    },
  };
}
