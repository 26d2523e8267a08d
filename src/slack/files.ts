import type { webApi } from '@slack/bolt';
import { type ValidateOptions, type ValidationReport, validateJsonl } from '../data/validate.ts';

/**
 * Downloading a file someone uploaded to Slack (file_input hands us url_private_download), as a
 * stream, with the size cap enforced while reading, so a large or endless body never sits in memory.
 */

export class SlackFileError extends Error {
  override name = 'SlackFileError';
}

export interface DownloadOptions {
  maxBytes: number;
  /** The Web API URL in use (SLACK_API_URL): its host may serve files too (GovSlack, a test server). */
  apiUrl?: string;
  timeoutMs?: number;
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

/** The bot token goes only to Slack's own hosts; a link anywhere else is refused, not followed. */
export function isSlackHost(url: string, apiUrl?: string): boolean {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return false;
  }
  if (apiUrl && new URL(apiUrl).host === host) return true;
  return /(^|\.)slack\.com$/.test(host) || /(^|\.)slack-gov\.com$/.test(host);
}

/** Slack's own file links are one hop or two (files.slack.com to a regional host); more is a loop. */
const MAX_REDIRECTS = 3;

/**
 * Whether the bot token may be sent to this URL: a Slack host over https, or exactly the origin of
 * the configured Web API, which an operator chose (a test server or a proxy may be plain http).
 */
function mayFetch(url: URL, apiUrl?: string): boolean {
  if (apiUrl && URL.canParse(apiUrl) && new URL(apiUrl).origin === url.origin) return true;
  return url.protocol === 'https:' && isSlackHost(url.href, apiUrl);
}

export async function* downloadSlackFile(
  url: string,
  token: string,
  options: DownloadOptions,
): AsyncGenerator<Uint8Array> {
  if (!isSlackHost(url, options.apiUrl)) {
    throw new SlackFileError('That file link does not point at Slack, so I did not download it.');
  }
  let current = new URL(url);
  if (!mayFetch(current, options.apiUrl)) {
    throw new SlackFileError('That file link is not a secure (https) Slack link, so I did not download it.');
  }
  // One deadline for the whole download, redirects and body included, as before.
  const signal = AbortSignal.timeout(options.timeoutMs ?? 300_000);
  let res: Response;
  for (let hops = 0; ; hops++) {
    try {
      // Redirects are followed by hand: fetch would carry on to wherever Slack's answer points,
      // and what it fetched there would be validated and sent on as the person's file.
      res = await fetch(current, {
        headers: { authorization: `Bearer ${token}` },
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw new SlackFileError(
        `I could not download the file from Slack (${(error as Error).name === 'TimeoutError' ? 'it took too long' : 'no answer'}).`,
      );
    }
    const location = res.headers.get('location');
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400 && location !== null)) {
      await res.body?.cancel();
      const next = location !== null && URL.canParse(location, current.href) ? new URL(location, current) : undefined;
      if (!next || !mayFetch(next, options.apiUrl)) {
        throw new SlackFileError(
          'Slack sent me somewhere other than Slack to get that file, so I did not download it. Upload it again.',
        );
      }
      if (hops >= MAX_REDIRECTS) {
        throw new SlackFileError(
          `Slack kept redirecting me (more than ${MAX_REDIRECTS} times) instead of sending the file, so I gave up. Upload it again in a minute.`,
        );
      }
      current = next;
      continue;
    }
    break;
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    throw new SlackFileError(
      'The file is no longer in Slack: it was deleted, or is no longer shared with me. Upload it again.',
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new SlackFileError(
      `Slack would not let me download the file (HTTP ${res.status}). Upload it again in a minute.`,
    );
  }
  // Without files:read Slack answers 200 with its sign-in page instead of the file.
  if ((res.headers.get('content-type') ?? '').includes('text/html')) {
    await res.body?.cancel();
    throw new SlackFileError(
      'Slack sent a sign-in page instead of the file: the app is missing the files:read scope. Reinstall it from manifest.yml.',
    );
  }
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await res.body?.cancel();
    throw new SlackFileError(`The file is ${formatMb(declared)}; the limit here is ${formatMb(options.maxBytes)}.`);
  }
  if (!res.body) return;
  let seen = 0;
  const chunks = res.body[Symbol.asyncIterator]();
  try {
    while (true) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        // A deadline or a dropped connection mid-file is Slack's side, for the person to retry.
        throw new SlackFileError(
          `I could not download the whole file from Slack (${(error as Error).name === 'TimeoutError' ? 'it took too long' : 'the connection broke'}).`,
        );
      }
      if (next.done) return;
      seen += next.value.byteLength;
      if (seen > options.maxBytes) {
        throw new SlackFileError(`The file is larger than the limit here, ${formatMb(options.maxBytes)}.`);
      }
      yield next.value;
    }
  } finally {
    // Stops the transfer when the cap is hit or the reader stops early, instead of draining it.
    await chunks.return?.();
  }
}

/**
 * Validates a file someone uploaded, as it streams in. Throws SlackFileError (plain words, for the
 * person) when it cannot be downloaded; anything else thrown is our bug, to be logged.
 */
export async function validateSlackFile(
  file: { url: string },
  token: string,
  download: DownloadOptions,
  options: ValidateOptions,
): Promise<ValidationReport> {
  return validateJsonl(downloadSlackFile(file.url, token, download), options);
}

/** What to tell the person when their file could not be read. */
export function whyNotRead(error: unknown): string {
  return error instanceof SlackFileError ? error.message : 'Something went wrong on my side while reading it.';
}

/** What files.info says of a file the bot was pointed at by id (a validated file, reused). */
export interface FoundSlackFile {
  id: string;
  name: string;
  url_private_download: string;
  size?: number;
}

/**
 * Looks a Slack file up again by id, for its download link: a button carries only the id, and
 * the file may have been deleted since (or the bot may no longer see it).
 */
export async function findSlackFile(
  client: Pick<webApi.WebClient, 'files'>,
  file: { id: string; name: string },
): Promise<FoundSlackFile> {
  const gone = new SlackFileError(
    `${file.name} is no longer in Slack where I can read it (deleted, or its sharing changed). Upload it in the form instead.`,
  );
  const info = await client.files.info({ file: file.id }).catch(() => undefined);
  const url = info?.file?.url_private_download;
  if (!url) throw gone;
  const size = info?.file?.size;
  return {
    id: file.id,
    // The name the report and the form showed, already checked; a rename since changes nothing here.
    name: file.name,
    url_private_download: url,
    ...(typeof size === 'number' ? { size } : {}),
  };
}

/** The download limits for this deployment, from the services the handlers get. */
export function downloadLimits(services: { limits: { maxFileBytes: number }; slackApiUrl?: string }): DownloadOptions {
  return { maxBytes: services.limits.maxFileBytes, ...(services.slackApiUrl ? { apiUrl: services.slackApiUrl } : {}) };
}
