import { DefaultAzureCredential, getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import { scrub } from '../openai/errors.ts';
import { ProviderError } from '../types.ts';

export const DATA_PLANE_SCOPE = 'https://cognitiveservices.azure.com/.default';
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** ARM's token audience is its own endpoint, so a sovereign cloud's endpoint gives its scope. */
export function managementScope(armEndpoint: string = DEFAULT_ARM_ENDPOINT): string {
  return `${armEndpoint.trim().replace(/\/+$/, '')}/.default`;
}

export interface AzureTokenOptions {
  /** Any credential; absent, DefaultAzureCredential (environment, workload/managed identity, Azure CLI, …). */
  credential?: TokenCredential;
  /** Azure Resource Manager for this cloud; the management scope follows it unless `managementScope` is given. */
  armEndpoint?: string;
  dataPlaneScope?: string;
  managementScope?: string;
  /** The Entra login host; absent, AZURE_AUTHORITY_HOST, then the public cloud's. */
  authorityHost?: string;
  /**
   * Skips MSAL's call to login.microsoftonline.com that vouches for an unknown login host. Only for
   * hosts Microsoft's discovery cannot know (Azure Stack Hub, private clouds): it removes a check.
   * The public and sovereign clouds' login hosts need neither discovery nor an OpenID metadata call:
   * MSAL has their metadata built in (@azure/msal-common AuthorityMetadata).
   */
  disableInstanceDiscovery?: boolean;
}

export interface AzureTokenProviders {
  /** Tokens for the Azure OpenAI data plane (training, files, completions). */
  dataPlane: () => Promise<string>;
  /** Tokens for Azure Resource Manager (deployments). */
  management: () => Promise<string>;
}

/**
 * Token functions for the two Azure audiences the bot talks to. Both share one credential, so one
 * MSAL client and its cache; each keeps its token until shortly before it expires
 * (getBearerTokenProvider refreshes two minutes early), so callers may ask before every request.
 * The credential is built on first use: a bad AZURE_TOKEN_CREDENTIALS surfaces as an 'auth' error
 * on the first Azure call rather than as a crash at start.
 */
export function azureTokenProviders(opts: AzureTokenOptions = {}): AzureTokenProviders {
  let built: TokenCredential | undefined;
  const credential: TokenCredential = {
    getToken: (scopes, options) => {
      built ??= opts.credential ?? defaultCredential(opts);
      return built.getToken(scopes, options);
    },
  };
  const dataScope = opts.dataPlaneScope ?? DATA_PLANE_SCOPE;
  const armScope = opts.managementScope ?? managementScope(opts.armEndpoint);
  return {
    dataPlane: guarded(credential, dataScope, 'Azure OpenAI'),
    management: guarded(credential, armScope, 'Azure Resource Manager'),
  };
}

function defaultCredential(opts: AzureTokenOptions): TokenCredential {
  return new DefaultAzureCredential({
    ...(opts.authorityHost ? { authorityHost: opts.authorityHost } : {}),
    ...(opts.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
  });
}

function guarded(credential: TokenCredential, scope: string, audience: string): () => Promise<string> {
  let provider: (() => Promise<string>) | undefined;
  return async () => {
    try {
      provider ??= getBearerTokenProvider(credential, scope);
      return await provider();
    } catch (error) {
      throw tokenError(error, audience, scope);
    }
  };
}

const SETUP_HINT =
  'Give the bot a Microsoft Entra ID identity: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET ' +
  '(a service principal), run it with a managed identity, or run `az login` where it runs. The identity also ' +
  'needs a role on the Azure OpenAI resource: Cognitive Services OpenAI Contributor to fine-tune, Cognitive ' +
  'Services Contributor to deploy.';

const REFUSED_HINT =
  'Check AZURE_TENANT_ID (the directory id), AZURE_CLIENT_ID (the app registration’s client id) and ' +
  'AZURE_CLIENT_SECRET, or the managed identity or `az login` account in use; for a sovereign cloud also ' +
  'AZURE_AUTHORITY_HOST.';

// The Entra ID errors people hit most, by AADSTS code.
const AADSTS_HINTS: Record<string, string> = {
  '7000215':
    'AZURE_CLIENT_SECRET is not accepted: use the secret’s Value (not its Secret ID) from the app registration’s ' +
    '“Certificates & secrets” page.',
  '7000222': 'AZURE_CLIENT_SECRET has expired: create a new secret on the app registration and update the bot.',
  '700016':
    'No app with AZURE_CLIENT_ID exists in tenant AZURE_TENANT_ID: check both ids on the app registration’s ' +
    'Overview page.',
  '90002': 'The tenant in AZURE_TENANT_ID was not found: use the Directory (tenant) ID from the app registration.',
  '900023': 'AZURE_TENANT_ID is not a valid tenant id: use the Directory (tenant) ID from the app registration.',
  '500011':
    'The token’s audience does not exist in this tenant’s cloud: for a sovereign cloud set AZURE_ARM_ENDPOINT ' +
    '(and the data-plane scope) and AZURE_AUTHORITY_HOST for that cloud.',
};

const UNAVAILABLE = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError']);

/** Credentials that may sit in the environment; never shown even if a service echoes one back. */
function environmentSecrets(): string[] {
  const names = ['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_PASSWORD'];
  return names.map((name) => process.env[name] ?? '').filter(Boolean);
}

/**
 * A credential failure in plain words. Only the first sentence of an AADSTS description is kept
 * (it names the problem; the rest is trace ids), scrubbed of anything secret; chained-credential
 * reports are dropped whole because they list every credential tried, which helps nobody in Slack.
 */
export function tokenError(error: unknown, audience: string, scope: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const name = error instanceof Error ? error.name : '';
  const text = error instanceof Error ? error.message : String(error);
  if (UNAVAILABLE.has(name)) {
    return new ProviderError('auth', `The bot has no Microsoft Entra ID credentials for ${audience}.`, {
      hint: SETUP_HINT,
    });
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  const aadsts = /AADSTS(\d+):[^.\n]*\.?/.exec(text);
  const said = aadsts ? `: ${scrub(aadsts[0].trim(), environmentSecrets())}` : '.';
  const retryable = typeof status === 'number' && (status >= 500 || status === 429);
  const hint = (aadsts?.[1] && AADSTS_HINTS[aadsts[1]]) || (retryable ? 'Try again in a minute.' : REFUSED_HINT);
  const what =
    name === 'AuthenticationError' ? 'Microsoft Entra ID refused the bot’s credentials' : 'Could not get a token';
  // No `status`: it is the login host's (EnvironmentCredential reports every refusal as 400), not the API's.
  return new ProviderError('auth', `${what} for ${audience} (scope ${scope})${said}`, { hint, retryable });
}
