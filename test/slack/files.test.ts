import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { downloadSlackFile, SlackFileError, validateSlackFile } from '../../src/slack/files.ts';

const TOKEN = 'xoxb-test-token';

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 that records each request; routes are set per test. */
class Host {
  readonly requests: Array<{ path: string; authorization: string | undefined }> = [];
  routes = new Map<string, Route>();
  url = '';
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const path = req.url ?? '/';
      this.requests.push({ path, authorization: req.headers.authorization });
      const route = this.routes.get(path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('file_not_found');
        return;
      }
      await route(req, res);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.clear();
  }
}

const redirect =
  (location: string, status = 302): Route =>
  (_req, res) => {
    res.writeHead(status, { location, 'content-type': 'text/html' });
    res.end('<html>moved</html>');
  };

const file =
  (body: string, headers: Record<string, string> = {}): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
    res.end(body);
  };

/** Chunked, with no content-length, so only the running count can stop it. */
const endless =
  (chunk: Buffer, times: number): Route =>
  async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let i = 0; i < times && !res.destroyed; i++) {
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    res.end();
  };

// "Slack" is whatever SLACK_API_URL points at, as in the end-to-end tests; "foreign" is any other host.
const slack = new Host();
const foreign = new Host();
let apiUrl = '';
beforeAll(async () => {
  await Promise.all([slack.start(), foreign.start()]);
  apiUrl = `${slack.url}/api/`;
});
afterAll(() => Promise.all([slack.stop(), foreign.stop()]));
afterEach(() => {
  slack.reset();
  foreign.reset();
  vi.restoreAllMocks();
});

async function download(url: string, maxBytes = 1024 * 1024) {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of downloadSlackFile(url, TOKEN, { maxBytes, apiUrl, timeoutMs: 5000 })) chunks.push(chunk);
  } catch (error) {
    return { chunks, bytes: Buffer.concat(chunks), error };
  }
  return { chunks, bytes: Buffer.concat(chunks), error: undefined };
}

describe('downloadSlackFile() redirects', () => {
  it('refuses a redirect to another host, which never gets a request (nor the token)', async () => {
    slack.routes.set('/files/T1-F1/download/a.jsonl', redirect(`${foreign.url}/steal.jsonl`));
    foreign.routes.set('/steal.jsonl', file('{"not":"the person\'s file"}\n'));

    const { chunks, error } = await download(`${slack.url}/files/T1-F1/download/a.jsonl`);

    expect(error).toBeInstanceOf(SlackFileError);
    expect((error as Error).message).toContain('somewhere other than Slack');
    expect((error as Error).message).not.toContain('127.0.0.1');
    expect(chunks).toEqual([]);
    expect(foreign.requests).toEqual([]);
  });

  it('refuses a redirect to a look-alike host name and to http on slack.com, without fetching either', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    for (const location of ['https://files.slack.com.evil.example/x', 'http://files.slack.com/x']) {
      slack.routes.set('/files/T1-F2/download/a.jsonl', redirect(location, 307));
      const { error } = await download(`${slack.url}/files/T1-F2/download/a.jsonl`);
      expect(error).toBeInstanceOf(SlackFileError);
      expect((error as Error).message).toContain('somewhere other than Slack');
    }
    expect(spy.mock.calls.map(([url]) => String(url))).toEqual([
      `${slack.url}/files/T1-F2/download/a.jsonl`,
      `${slack.url}/files/T1-F2/download/a.jsonl`,
    ]);
  });

  it('follows a redirect to another path on the Slack host, with the token on each hop', async () => {
    slack.routes.set('/files/T1-F3/download/a.jsonl', redirect('/files-pri/T1-F3/a.jsonl?t=abc'));
    slack.routes.set('/files-pri/T1-F3/a.jsonl?t=abc', redirect(`${slack.url}/final/a.jsonl`, 301));
    slack.routes.set('/final/a.jsonl', file('{"a":1}\n'));

    const { bytes, error } = await download(`${slack.url}/files/T1-F3/download/a.jsonl`);

    expect(error).toBeUndefined();
    expect(bytes.toString()).toBe('{"a":1}\n');
    expect(slack.requests).toEqual([
      { path: '/files/T1-F3/download/a.jsonl', authorization: `Bearer ${TOKEN}` },
      { path: '/files-pri/T1-F3/a.jsonl?t=abc', authorization: `Bearer ${TOKEN}` },
      { path: '/final/a.jsonl', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('stops a redirect loop after three hops with a plain error', async () => {
    slack.routes.set('/loop/a', redirect('/loop/b'));
    slack.routes.set('/loop/b', redirect('/loop/a'));

    const { chunks, error } = await download(`${slack.url}/loop/a`);

    expect(error).toBeInstanceOf(SlackFileError);
    expect((error as Error).message).toBe(
      'Slack kept redirecting me (more than 3 times) instead of sending the file, so I gave up. Upload it again in a minute.',
    );
    expect(chunks).toEqual([]);
    expect(slack.requests.map((r) => r.path)).toEqual(['/loop/a', '/loop/b', '/loop/a', '/loop/b']);
  });

  it('keeps the usual answers after a redirect: gone, sign-in page', async () => {
    slack.routes.set('/r/gone', redirect('/nowhere'));
    const gone = await download(`${slack.url}/r/gone`);
    expect((gone.error as Error).message).toContain('no longer in Slack');

    slack.routes.set('/r/login', redirect('/login'));
    slack.routes.set('/login', file('<html>sign in</html>', { 'content-type': 'text/html' }));
    const login = await download(`${slack.url}/r/login`);
    expect((login.error as Error).message).toContain('missing the files:read scope');
  });

  it('treats a 3xx with no Location as a refusal from Slack, not as the file', async () => {
    slack.routes.set('/r/none', (_req, res) => {
      res.writeHead(302, { 'content-type': 'text/plain' });
      res.end('moved');
    });
    const { chunks, error } = await download(`${slack.url}/r/none`);
    expect((error as Error).message).toContain('HTTP 302');
    expect(chunks).toEqual([]);
  });

  it('sends nothing to the validator when the redirect is refused', async () => {
    slack.routes.set('/files/T1-F4/download/a.jsonl', redirect(`${foreign.url}/steal.jsonl`));
    foreign.routes.set('/steal.jsonl', file('{"messages":[]}\n'));

    await expect(
      validateSlackFile(
        { url: `${slack.url}/files/T1-F4/download/a.jsonl` },
        TOKEN,
        { maxBytes: 1024, apiUrl },
        { model: 'gpt-4.1-mini' },
      ),
    ).rejects.toBeInstanceOf(SlackFileError);
    expect(foreign.requests).toEqual([]);
  });
});

describe('downloadSlackFile() links', () => {
  it('refuses http:// on slack.com without any network call', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    const { chunks, error } = await download('http://files.slack.com/files-pri/T1-F5/a.jsonl');
    expect(error).toBeInstanceOf(SlackFileError);
    expect((error as Error).message).toContain('not a secure (https) Slack link');
    expect(chunks).toEqual([]);
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses a host that is not Slack without any network call', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    const { error } = await download(`${foreign.url}/files/a.jsonl`);
    expect((error as Error).message).toContain('does not point at Slack');
    expect(spy).not.toHaveBeenCalled();
    expect(foreign.requests).toEqual([]);
  });

  it('allows plain http only at the exact origin of the configured API URL', async () => {
    slack.routes.set('/files/a.jsonl', file('{"a":1}\n'));
    const { bytes, error } = await download(`${slack.url}/files/a.jsonl`);
    expect(error).toBeUndefined();
    expect(bytes.toString()).toBe('{"a":1}\n');
  });
});

describe('downloadSlackFile() size cap', () => {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const cap = 512 * 1024;

  it('stops a streamed body with no content-length at the cap', async () => {
    slack.routes.set('/files/big', endless(chunk, 64));
    const { bytes, error } = await download(`${slack.url}/files/big`, cap);
    expect((error as Error).message).toBe('The file is larger than the limit here, 0.5 MB.');
    expect(bytes.byteLength).toBeLessThanOrEqual(cap);
  });

  it('stops a redirected streamed body at the cap', async () => {
    slack.routes.set('/files/r-big', redirect('/files/big'));
    slack.routes.set('/files/big', endless(chunk, 64));
    const { bytes, error } = await download(`${slack.url}/files/r-big`, cap);
    expect((error as Error).message).toBe('The file is larger than the limit here, 0.5 MB.');
    expect(bytes.byteLength).toBeLessThanOrEqual(cap);
  });

  it('refuses a redirected file whose content-length is over the cap before reading it', async () => {
    slack.routes.set('/files/r-declared', redirect('/files/declared'));
    slack.routes.set('/files/declared', file('x'.repeat(cap * 2), { 'content-length': String(cap * 2) }));
    const { chunks, error } = await download(`${slack.url}/files/r-declared`, cap);
    expect((error as Error).message).toBe('The file is 1 MB; the limit here is 0.5 MB.');
    expect(chunks).toEqual([]);
  });
});

describe('downloadSlackFile() timeout', () => {
  it('gives up on a body that stalls, in words for the person', async () => {
    slack.routes.set('/files/slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('{"a":1}\n');
    });
    const chunks: Uint8Array[] = [];
    const run = async () => {
      for await (const c of downloadSlackFile(`${slack.url}/files/slow`, TOKEN, {
        maxBytes: 1024,
        apiUrl,
        timeoutMs: 300,
      }))
        chunks.push(c);
    };
    await expect(run()).rejects.toThrow(
      new SlackFileError('I could not download the whole file from Slack (it took too long).'),
    );
  });
});
