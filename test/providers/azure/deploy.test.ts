import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/cost/catalogue.ts';
import {
  AZURE_HOSTING_USD_PER_HOUR,
  type AzureDeployerOptions,
  createAzureDeployer,
  IDLE_DELETION_DAYS,
} from '../../../src/providers/azure/deploy.ts';
import { ProviderError } from '../../../src/providers/types.ts';
import { useNock } from '../openai/support.ts';

const ARM = 'https://management.azure.com';
const SUB = '00000000-1111-2222-3333-444444444444';
const RG = 'rg-ml';
const ACCOUNT = 'contoso-aoai';
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.arm-token-payload.signature';
const MODEL = 'gpt-4.1-mini-2025-04-14.ft-0123456789abcdef';
const PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.CognitiveServices/accounts/${ACCOUNT}/deployments`;
const API = { 'api-version': '2024-10-01' };

/** A fake clock: sleeping only adds to `slept`, so timeouts take no real time. */
function deployer(overrides: Partial<AzureDeployerOptions> = {}) {
  const slept: number[] = [];
  const d = createAzureDeployer({
    subscriptionId: SUB,
    resourceGroup: RG,
    account: ACCOUNT,
    token: async () => TOKEN,
    pollIntervalMs: 5_000,
    timeoutMs: 60_000,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...overrides,
  });
  return { d, slept };
}

const deployment = (state: string, extra: Record<string, unknown> = {}) => ({
  id: `${PATH}/support-bot`,
  name: 'support-bot',
  type: 'Microsoft.CognitiveServices/accounts/deployments',
  sku: { name: 'standard', capacity: 1 },
  properties: { model: { format: 'OpenAI', name: MODEL, version: '1' }, provisioningState: state, ...extra },
});

const armError = (code: string, message: string) => ({ error: { code, message } });

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const pe = error as ProviderError;
  expect(`${pe.message} ${pe.hint}`).not.toContain(TOKEN);
  return pe;
}

describe('Azure deployments through ARM', () => {
  useNock();

  it('PUTs the deployment and polls Accepted → Creating → Succeeded', async () => {
    let putBody: unknown;
    let auth: string | null = null;
    let gets = 0;
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(async (req: Request) => {
        putBody = await req.json();
        auth = req.headers.get('authorization');
        return [201, deployment('Accepted')];
      })
      .get(`${PATH}/support-bot`)
      .query(API)
      .times(2)
      .reply(() => {
        gets++;
        return [200, deployment(gets === 1 ? 'Creating' : 'Succeeded')];
      });
    const { d, slept } = deployer();

    const result = await d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' });

    expect(putBody).toEqual({
      sku: { name: 'standard', capacity: 1 },
      properties: { model: { format: 'OpenAI', name: MODEL, version: '1' } },
    });
    expect(auth).toBe(`Bearer ${TOKEN}`);
    expect(gets).toBe(2);
    expect(slept).toEqual([5_000, 5_000]);
    expect(result).toEqual({ name: 'support-bot', model: MODEL, state: 'Succeeded', sku: 'standard', capacity: 1 });
  });

  it('waits as long as Retry-After asks and keeps polling through a 503', async () => {
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(201, deployment('Accepted'), { 'Retry-After': '2' })
      .get(`${PATH}/support-bot`)
      .query(API)
      .reply(503, armError('ServiceUnavailable', 'Try later'), { 'Retry-After': '7' })
      .get(`${PATH}/support-bot`)
      .query(API)
      .reply(200, deployment('Succeeded'));
    const { d, slept } = deployer();

    expect((await d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' })).state).toBe('Succeeded');
    expect(slept).toEqual([2_000, 7_000]);
  });

  it('follows Azure-AsyncOperation and reports why the deployment failed', async () => {
    const operation = `${ARM}/subscriptions/${SUB}/providers/Microsoft.CognitiveServices/locations/swedencentral/operationResults/op-1?api-version=2024-10-01`;
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(201, deployment('Accepted'), { 'Azure-AsyncOperation': operation })
      .get(
        '/subscriptions/' +
          SUB +
          '/providers/Microsoft.CognitiveServices/locations/swedencentral/operationResults/op-1',
      )
      .query(API)
      .reply(200, { status: 'InProgress' })
      .get(
        '/subscriptions/' +
          SUB +
          '/providers/Microsoft.CognitiveServices/locations/swedencentral/operationResults/op-1',
      )
      .query(API)
      .reply(200, {
        status: 'Failed',
        error: { code: 'ModelNotSupported', message: 'The model is not supported for this SKU in this region.' },
      });
    const { d } = deployer();

    const error = await failure(d.deploy({ name: 'support-bot', model: MODEL, sku: 'GlobalStandard' }));
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toContain('Failed');
    expect(error.message).toContain('The model is not supported for this SKU in this region.');
  });

  it('reports a Failed provisioning state read from the deployment itself', async () => {
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(201, deployment('Accepted'))
      .get(`${PATH}/support-bot`)
      .query(API)
      .reply(200, deployment('Failed', { error: { message: 'Capacity is not available.' } }));
    const { d } = deployer();

    const error = await failure(d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' }));
    expect(error.message).toBe(
      'Azure could not create deployment “support-bot” (Failed). Azure says: Capacity is not available.',
    );
  });

  it('gives up at the timeout, saying it is still provisioning and where to look', async () => {
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(201, deployment('Accepted'))
      .get(`${PATH}/support-bot`)
      .query(API)
      .times(12)
      .reply(200, deployment('Creating'));
    const { d, slept } = deployer();

    const error = await failure(d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' }));
    expect(error.kind).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('Deployment “support-bot” is still provisioning (Creating) after 1 minute.');
    expect(error.hint).toContain('Azure portal');
    expect(slept).toHaveLength(12);
  });

  it('explains a 403: which permission on which account', async () => {
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(
        403,
        armError(
          'AuthorizationFailed',
          `The client 'abc' does not have authorization to perform action 'Microsoft.CognitiveServices/accounts/deployments/write'.`,
        ),
        { 'x-ms-request-id': 'req-42' },
      );
    const error = await failure(deployer().d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' }));
    expect(error).toMatchObject({ kind: 'permission', status: 403, requestId: 'req-42' });
    expect(error.message).toContain(ACCOUNT);
    expect(error.hint).toContain('Microsoft.CognitiveServices/accounts/deployments/write');
    expect(error.hint).toContain('Cognitive Services Contributor');
  });

  it('says which subscription, resource group and account were not found', async () => {
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(404, armError('ParentResourceNotFound', 'The parent resource could not be found.'))
      .get(`${PATH}/support-bot`)
      .query(API)
      .reply(404, armError('ResourceGroupNotFound', `Resource group '${RG}' could not be found.`));
    const { d } = deployer();

    const error = await failure(d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' }));
    expect(error.kind).toBe('not_found');
    expect(error.message).toContain(`“${ACCOUNT}” in resource group “${RG}” (subscription ${SUB})`);
    expect(error.hint).toContain('AZURE_OPENAI_ACCOUNT');
    // A missing account is not a missing deployment: get() throws rather than answering undefined.
    await expect(d.get('support-bot')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it.each([
    [409, armError('RequestConflict', 'Another operation is in progress.'), 'unavailable', true],
    [400, armError('InsufficientQuota', 'This operation require 1 new capacity in quota.'), 'rate_limit', false],
    [401, armError('InvalidAuthenticationToken', 'The access token is invalid.'), 'auth', false],
    [500, armError('InternalServerError', 'Oops'), 'unavailable', true],
    [400, armError('InvalidResourceProperties', 'The specified SKU is not supported.'), 'invalid_request', false],
  ])('turns a %i into a plain %s', async (status, body, kind, retryable) => {
    nock(ARM).put(`${PATH}/support-bot`).query(API).reply(status, body);
    const error = await failure(deployer().d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' }));
    expect(error).toMatchObject({ kind, retryable, status });
    expect(error.message).toContain(body.error.message);
  });

  it('deletes: 204 and 202 are done, a missing deployment is already gone', async () => {
    nock(ARM)
      .delete(`${PATH}/a1`)
      .query(API)
      .reply(204)
      .delete(`${PATH}/a2`)
      .query(API)
      .reply(202)
      .delete(`${PATH}/gone`)
      .query(API)
      .reply(404, armError('DeploymentNotFound', 'The deployment was not found.'));
    const { d } = deployer();
    await d.delete('a1');
    await d.delete('a2');
    await d.delete('gone');
  });

  it('gets one deployment (undefined when missing) and lists them all, page by page', async () => {
    nock(ARM)
      .get(`${PATH}/support-bot`)
      .query(API)
      .reply(200, deployment('Succeeded'))
      .get(`${PATH}/nope`)
      .query(API)
      .reply(404, armError('ResourceNotFound', `The Resource '${ACCOUNT}/deployments/nope' was not found.`))
      .get(PATH)
      .query(API)
      .reply(200, { value: [deployment('Succeeded')], nextLink: `${ARM}${PATH}?api-version=2024-10-01&$skipToken=2` })
      .get(PATH)
      .query({ ...API, $skipToken: '2' })
      .reply(200, { value: [{ ...deployment('Creating'), name: 'second' }] });
    const { d } = deployer();

    expect(await d.get('support-bot')).toMatchObject({ name: 'support-bot', state: 'Succeeded', model: MODEL });
    expect(await d.get('nope')).toBeUndefined();
    expect((await d.list()).map((x) => `${x.name}:${x.state}`)).toEqual(['support-bot:Succeeded', 'second:Creating']);
  });

  it.each(['a', 'x'.repeat(65), 'has space', 'slash/name', 'ünïcode', ''])(
    'refuses the deployment name %j before any call',
    async (name) => {
      let asked = 0;
      const { d } = deployer({
        token: async () => {
          asked++;
          return TOKEN;
        },
      });
      const error = await failure(d.deploy({ name, model: MODEL, sku: 'standard' }));
      expect(error.kind).toBe('invalid_request');
      expect(error.hint).toContain('2 to 64');
      await expect(d.delete(name)).rejects.toBeInstanceOf(ProviderError);
      expect(asked).toBe(0);
    },
  );

  it('passes on a token provider failure without calling ARM', async () => {
    const { d } = deployer({
      token: async () => {
        throw new Error(`credential exploded: secret ${TOKEN}`);
      },
    });
    const error = await failure(d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' }));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('exploded');
    expect(error.hint).toContain('management scope');
  });

  it('talks to a sovereign cloud’s ARM endpoint, with the developer tier’s capacity', async () => {
    const gov = 'https://management.usgovcloudapi.net';
    let putBody: unknown;
    nock(gov)
      .put(`${PATH}/dev-try`)
      .query({ 'api-version': '2025-07-01-preview' })
      .reply(async (req: Request) => {
        putBody = await req.json();
        return [200, { ...deployment('Succeeded'), name: 'dev-try', sku: { name: 'developertier', capacity: 50 } }];
      });
    const { d, slept } = deployer({ armEndpoint: `${gov}/`, apiVersion: '2025-07-01-preview' });

    const result = await d.deploy({ name: 'dev-try', model: MODEL, sku: 'developertier' });
    expect(putBody).toMatchObject({ sku: { name: 'developertier', capacity: 50 } });
    expect(result).toMatchObject({ name: 'dev-try', state: 'Succeeded', sku: 'developertier' });
    expect(slept).toEqual([]);
  });

  it('ignores an Azure-AsyncOperation URL off the ARM endpoint, so the token stays home', async () => {
    nock(ARM)
      .put(`${PATH}/support-bot`)
      .query(API)
      .reply(201, deployment('Accepted'), { 'Azure-AsyncOperation': 'https://evil.example/op' })
      .get(`${PATH}/support-bot`)
      .query(API)
      .reply(200, deployment('Succeeded'));
    expect((await deployer().d.deploy({ name: 'support-bot', model: MODEL, sku: 'standard' })).state).toBe('Succeeded');
  });

  it('exports the hosting cost facts from the price catalogue', () => {
    expect(AZURE_HOSTING_USD_PER_HOUR).toBe(1.7);
    expect(AZURE_HOSTING_USD_PER_HOUR).toBe(CATALOGUE.azure.hosting.standard_per_hour);
    expect(IDLE_DELETION_DAYS).toBe(15);
  });
});
