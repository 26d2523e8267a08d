import { CredentialUnavailableError, type TokenCredential } from '@azure/identity';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { azureTokenProviders, managementScope } from '../../../src/providers/azure/credential.ts';
import { ProviderError } from '../../../src/providers/types.ts';
import { useNock } from '../openai/support.ts';

/*
 * What MSAL (under @azure/identity) fetches before a client-secret token, read from
 * @azure/msal-common's Authority.resolveEndpointsAsync:
 * - cloud (instance) discovery: skipped for login hosts MSAL knows (login.microsoftonline.com, .us,
 *   .partner.microsoftonline.cn, …) and for hosts in knownAuthorities, which @azure/identity fills with
 *   the authority when `disableInstanceDiscovery` is set; otherwise a GET to
 *   https://login.microsoftonline.com/common/discovery/instance.
 * - OpenID metadata: built in for the hosts MSAL knows; otherwise a GET to
 *   {host}/{tenant}/v2.0/.well-known/openid-configuration, once per credential.
 * So a test against a made-up login host mocks the OpenID document (and sets disableInstanceDiscovery
 * or mocks discovery too); a test against a known sovereign host needs neither.
 */

const HOST = 'https://login.example.test';
const TENANT = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'Qx8Q~super-secret-client-value_0123456789';

function openIdConfig(host: string) {
  return {
    token_endpoint: `${host}/${TENANT}/oauth2/v2.0/token`,
    authorization_endpoint: `${host}/${TENANT}/oauth2/v2.0/authorize`,
    issuer: `${host}/${TENANT}/v2.0`,
    jwks_uri: `${host}/${TENANT}/discovery/v2.0/keys`,
  };
}

/** A token endpoint that records each request's form and answers with `answer`. */
function tokenEndpoint(host: string, answer: (n: number) => readonly [number, Record<string, unknown>]) {
  const forms: URLSearchParams[] = [];
  nock(host)
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .query(true)
    .times(10)
    .optionally()
    .reply(async (req: Request) => {
      forms.push(new URLSearchParams(await req.text()));
      return answer(forms.length);
    });
  return forms;
}

const token = (n: number) => [200, { token_type: 'Bearer', expires_in: 3599, access_token: `token-${n}` }] as const;

describe('azureTokenProviders', () => {
  useNock();
  beforeEach(() => {
    // The real chain: the environment's client secret comes first and answers, or fails, alone.
    vi.stubEnv('AZURE_TOKEN_CREDENTIALS', undefined);
    vi.stubEnv('AZURE_AUTHORITY_HOST', HOST);
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT_ID);
    vi.stubEnv('AZURE_CLIENT_SECRET', SECRET);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('gets a management token from AZURE_AUTHORITY_HOST and reuses it', async () => {
    nock(HOST).get(`/${TENANT}/v2.0/.well-known/openid-configuration`).reply(200, openIdConfig(HOST));
    const forms = tokenEndpoint(HOST, token);
    const tokens = azureTokenProviders({ disableInstanceDiscovery: true });

    expect(await tokens.management()).toBe('token-1');
    expect(await tokens.management()).toBe('token-1');
    expect(forms).toHaveLength(1);
    expect(forms[0]?.get('grant_type')).toBe('client_credentials');
    expect(forms[0]?.get('client_id')).toBe(CLIENT_ID);
    expect(forms[0]?.get('scope')).toBe('https://management.azure.com/.default');
  });

  it('asks for the data-plane scope separately, through the same credential', async () => {
    nock(HOST).get(`/${TENANT}/v2.0/.well-known/openid-configuration`).once().reply(200, openIdConfig(HOST));
    const forms = tokenEndpoint(HOST, token);
    const tokens = azureTokenProviders({ disableInstanceDiscovery: true });

    expect(await tokens.management()).toBe('token-1');
    expect(await tokens.dataPlane()).toBe('token-2');
    expect(await tokens.dataPlane()).toBe('token-2');
    expect(forms.map((f) => f.get('scope'))).toEqual([
      'https://management.azure.com/.default',
      'https://cognitiveservices.azure.com/.default',
    ]);
  });

  it('vouches for an unknown login host through instance discovery unless told not to', async () => {
    let discovered = '';
    nock('https://login.microsoftonline.com')
      .get('/common/discovery/instance')
      .query((q) => {
        discovered = String(q.authorization_endpoint);
        return q['api-version'] === '1.1';
      })
      .reply(200, {
        tenant_discovery_endpoint: `${HOST}/${TENANT}/v2.0/.well-known/openid-configuration`,
        metadata: [],
      });
    nock(HOST).get(`/${TENANT}/v2.0/.well-known/openid-configuration`).reply(200, openIdConfig(HOST));
    tokenEndpoint(HOST, token);

    expect(await azureTokenProviders().management()).toBe('token-1');
    expect(discovered).toBe(`${HOST}/${TENANT}/oauth2/v2.0/authorize`);
  });

  it('needs no metadata calls for a sovereign cloud MSAL knows, and scopes ARM by its endpoint', async () => {
    const usGov = 'https://login.microsoftonline.us';
    vi.stubEnv('AZURE_AUTHORITY_HOST', usGov);
    const forms = tokenEndpoint(usGov, token);
    const tokens = azureTokenProviders({ armEndpoint: 'https://management.usgovcloudapi.net/' });

    expect(await tokens.management()).toBe('token-1');
    expect(forms[0]?.get('scope')).toBe('https://management.usgovcloudapi.net/.default');
  });

  it.each([
    [400, 'invalid_client', 'AADSTS7000215: Invalid client secret provided', 'secret’s Value'],
    [401, 'invalid_client', 'AADSTS700016: Application with identifier was not found', 'AZURE_CLIENT_ID'],
  ])(
    'turns a %i from the token endpoint into a plain auth error without the secret',
    async (status, code, description, hintPart) => {
      nock(HOST).get(`/${TENANT}/v2.0/.well-known/openid-configuration`).reply(200, openIdConfig(HOST));
      // A service that echoes the secret back must not get it into Slack.
      tokenEndpoint(HOST, () => [
        status,
        {
          error: code,
          error_description: `${description}. The secret ${SECRET} was sent. Trace ID: abc Correlation ID: def`,
          error_codes: [Number(/\d+/.exec(description)?.[0])],
        },
      ]);
      const error = await azureTokenProviders({ disableInstanceDiscovery: true })
        .management()
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ProviderError);
      const pe = error as ProviderError;
      expect(pe.kind).toBe('auth');
      expect(pe.retryable).toBe(false);
      expect(pe.message).toContain('Microsoft Entra ID refused');
      expect(pe.message).toContain(description);
      expect(pe.hint).toContain(hintPart);
      expect(`${pe.message} ${pe.hint}`).not.toContain(SECRET);
      expect(`${pe.message} ${pe.hint}`).not.toContain('Trace ID');
    },
  );

  it('says how to give the bot an identity when no credential is available', async () => {
    const none: TokenCredential = {
      getToken: () => Promise.reject(new CredentialUnavailableError('EnvironmentCredential is unavailable.')),
    };
    const error = await azureTokenProviders({ credential: none })
      .dataPlane()
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      kind: 'auth',
      message: 'The bot has no Microsoft Entra ID credentials for Azure OpenAI.',
    });
    expect((error as ProviderError).hint).toMatch(/AZURE_CLIENT_SECRET.*managed identity.*az login/s);
    expect((error as ProviderError).hint).toContain('Cognitive Services Contributor');
  });

  it('uses an injected credential with overridden scopes', async () => {
    const asked: string[] = [];
    const credential: TokenCredential = {
      getToken: async (scopes) => {
        asked.push(...[scopes].flat());
        return { token: `t-${asked.length}`, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const tokens = azureTokenProviders({
      credential,
      dataPlaneScope: 'https://ai.azure.com/.default',
      managementScope: 'https://management.chinacloudapi.cn/.default',
    });

    expect(await tokens.dataPlane()).toBe('t-1');
    expect(await tokens.management()).toBe('t-2');
    expect(await tokens.dataPlane()).toBe('t-1');
    expect(asked).toEqual(['https://ai.azure.com/.default', 'https://management.chinacloudapi.cn/.default']);
  });

  it('derives the management scope from the ARM endpoint', () => {
    expect(managementScope()).toBe('https://management.azure.com/.default');
    expect(managementScope('https://management.chinacloudapi.cn//')).toBe(
      'https://management.chinacloudapi.cn/.default',
    );
  });
});
