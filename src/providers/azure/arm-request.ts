import { scrub } from '../openai/errors.ts';
import { ProviderError } from '../types.ts';

/** What ARM answered: the status, the parsed JSON body (undefined when empty or not JSON), the headers. */
export interface ArmResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** ARM's error envelope: `{ error: { code, message } }`. */
export interface ArmErrorBody {
  code?: string;
  message?: string;
}

export interface ArmRequester {
  /** Sends one request with a fresh management token; throws only when no answer came back. */
  send(method: 'GET' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<ArmResponse>;
  /** The text with the tokens used lately removed, for anything ARM says that we pass on. */
  clean(text: string): string;
  /** True for URLs on the configured ARM endpoint: the only ones that get our token. */
  sameOrigin(url: string): boolean;
}

export interface ArmRequesterOptions {
  armEndpoint: string;
  token: () => Promise<string>;
  fetch?: typeof fetch;
}

export function armRequester(opts: ArmRequesterOptions): ArmRequester {
  const doFetch = opts.fetch ?? fetch;
  const origin = new URL(opts.armEndpoint).origin;
  const recent: string[] = [];
  const clean = (text: string) => scrub(text, recent);

  async function bearer(): Promise<string> {
    try {
      const token = await opts.token();
      if (!recent.includes(token)) recent.push(token);
      if (recent.length > 3) recent.shift();
      return token;
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      throw new ProviderError('auth', 'Could not get a token for Azure Resource Manager.', {
        hint:
          'The bot needs a Microsoft Entra ID identity (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, a ' +
          'managed identity, or `az login`) that can get tokens for the management scope.',
      });
    }
  }

  return {
    clean,
    sameOrigin: (url) => {
      try {
        return new URL(url).origin === origin;
      } catch {
        return false;
      }
    },
    async send(method, url, body) {
      const token = await bearer();
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        const why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
        throw new ProviderError(
          'network',
          `Could not reach Azure Resource Manager at ${origin}${why ? ` (${clean(why)})` : ''}.`,
          {
            hint: 'Check the bot’s network and proxy, and AZURE_ARM_ENDPOINT for a sovereign cloud, then try again.',
            retryable: true,
          },
        );
      }
      const text = await res.text().catch(() => '');
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

/** The `error` of an ARM error body, whatever else came back. */
export function armError(body: unknown): ArmErrorBody {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (!error || typeof error !== 'object') return {};
  const { code, message } = error as Record<string, unknown>;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/** How long ARM asks us to wait (Retry-After: seconds or an HTTP date), at most `capMs`. */
export function retryAfterMs(headers: Headers, capMs = 60_000): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), capMs) : undefined;
}
