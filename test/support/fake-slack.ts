import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API (reached through SLACK_API_URL) and for response_url: it
 * records every call as Slack would receive it and answers like Slack does. Tests script failures
 * per method with on().
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  authorization: string | undefined;
  /** The raw body, for file uploads (method `upload/<file id>`). */
  bytes?: Buffer;
}

/** A file Slack would serve at url_private_download: a body, or a status with headers. */
export type ServedFile =
  | { body: Buffer | string | (() => AsyncIterable<Uint8Array>); headers?: Record<string, string> }
  | { status: number; body?: string; headers?: Record<string, string> };

let uploadCounter = 0;

export type Reply = Record<string, unknown> | { status: number; body: unknown; headers?: Record<string, string> };
type Responder = (args: Record<string, unknown>) => Reply | Promise<Reply>;

let tsCounter = 1_700_000_000;

const DEFAULTS: Record<string, Responder> = {
  'auth.test': () => ({
    ok: true,
    url: 'https://acme.slack.com/',
    team: 'Acme',
    user: 'finetune-bot',
    team_id: 'T0001',
    user_id: 'U0BOT',
    bot_id: 'B0BOT',
  }),
  'chat.postMessage': (args) => ({ ok: true, channel: args.channel, ts: `${++tsCounter}.000100`, message: {} }),
  'views.open': () => ({ ok: true, view: { id: 'V0001', hash: 'h1' } }),
  'views.publish': () => ({ ok: true, view: { id: 'V0HOME' } }),
  'views.update': () => ({ ok: true, view: { id: 'V0001' } }),
};

/** files.uploadV2 asks for an upload URL on this server, posts the bytes there, then completes. */
function uploadDefaults(baseUrl: string): Record<string, Responder> {
  return {
    'files.getUploadURLExternal': (args) => {
      const id = `F0UP${++uploadCounter}`;
      return { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id, filename: args.filename };
    },
    'files.completeUploadExternal': (args) => ({
      ok: true,
      files: (
        (Array.isArray(args.files) ? args.files : JSON.parse(String(args.files ?? '[]'))) as Array<{
          id: string;
          title?: string;
        }>
      ).map((f) => ({
        id: f.id,
        title: f.title,
      })),
    }),
  };
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The Web API client sends blocks and views as JSON strings inside the form.
    try {
      args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly files = new Map<string, ServedFile>();
  private server: Server | undefined;
  private waiters: Array<() => void> = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const raw = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const authorization = req.headers.authorization;
      if (path.startsWith('/files/')) return this.serveFile(path, authorization, res);
      if (path.startsWith('/upload/')) {
        this.record({ method: path.slice(1), args: {}, authorization, bytes: raw });
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('OK - 200');
      }
      const body = parseBody(raw.toString('utf8'), req.headers['content-type']);
      const method = path.startsWith('/api/') ? path.slice('/api/'.length) : `response_url${path}`;
      this.record({ method, args: body, authorization });
      const responder =
        this.responders.get(method) ?? DEFAULTS[method] ?? uploadDefaults(this.url)[method] ?? (() => ({ ok: true }));
      const reply = await responder(body);
      const status = 'status' in reply && typeof reply.status === 'number' ? reply.status : 200;
      const payload = 'status' in reply && typeof reply.status === 'number' ? reply.body : reply;
      res.writeHead(status, {
        'content-type': 'application/json',
        ...('headers' in reply ? (reply.headers as Record<string, string>) : {}),
      });
      res.end(JSON.stringify(payload));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async serveFile(path: string, authorization: string | undefined, res: ServerResponse) {
    this.record({ method: `file${path.slice('/files'.length)}`, args: {}, authorization });
    const file = this.files.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('file_not_found');
    }
    if ('status' in file) {
      res.writeHead(file.status, { 'content-type': 'text/plain', ...file.headers });
      return res.end(file.body ?? '');
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...file.headers });
    if (typeof file.body === 'function') {
      for await (const chunk of file.body()) {
        if (!res.write(chunk)) await once(res, 'drain');
      }
      return res.end();
    }
    res.end(file.body);
  }

  /** Serves a file the way Slack serves url_private_download; returns that URL. */
  serve(name: string, file: ServedFile): string {
    const path = `/files/T0001-F${++uploadCounter}/download/${encodeURIComponent(name)}`;
    this.files.set(path, file);
    return `${this.url}${path}`;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  on(method: string, responder: Responder): this {
    this.responders.set(method, responder);
    return this;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves once a call to `method` has arrived (count of them, at least), or rejects after timeoutMs. */
  async waitFor(method: string, count = 1, timeoutMs = 5000): Promise<RecordedCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.callsTo(method).length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${count} call(s) to ${method}; got ${this.calls.map((c) => c.method).join(', ') || 'none'}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.callsTo(method);
  }

  reset(): void {
    this.calls.length = 0;
    this.responders.clear();
    this.files.clear();
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
