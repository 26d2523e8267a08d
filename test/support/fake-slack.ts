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

// Real Slack ts are the post time in seconds; lookups filter on them (`oldest`).
let tsCounter = Math.floor(Date.now() / 1000);

/** A message as the fake keeps it, so conversations.history and .replies can answer like Slack. */
export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  files?: Array<{ id: string; name: string; title?: string }>;
}

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
  /** What Slack "has": posts land here when they succeed, and the lookups read it. */
  readonly messages: StoredMessage[] = [];
  private readonly uploads = new Map<string, string>();
  /** Channels the bot posts in without being a member (chat:write.public): it cannot read them until it joins. */
  private readonly outside = new Set<string>();
  private readonly holds: Array<{
    method: string;
    match: (args: Record<string, unknown>) => boolean;
    applied: boolean;
  }> = [];
  private readonly responders = new Map<string, Responder>();
  private readonly files = new Map<string, ServedFile>();
  private server: Server | undefined;
  private waiters: Array<() => void> = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      // A client killed mid-request (the crash tests SIGKILL the bot) aborts its body: nothing to answer.
      const raw = await readBody(req).catch(() => undefined);
      if (raw === undefined) return;
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
      const hold = this.holds.findIndex((h) => h.method === method && h.match(body));
      if (hold >= 0) {
        // Slack took the call (or lost it) and the answer never comes: the caller dies waiting.
        const [{ applied } = { applied: false }] = this.holds.splice(hold, 1);
        if (applied) this.keep(method, body, { ok: true, ts: `${++tsCounter}.000100` });
        this.record({ method, args: body, authorization });
        return;
      }
      this.record({ method, args: body, authorization });
      const responder =
        this.responders.get(method) ??
        this.stateful(method) ??
        DEFAULTS[method] ??
        uploadDefaults(this.url)[method] ??
        (() => ({ ok: true }));
      const reply = await responder(body);
      this.keep(method, body, reply);
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

  /** The methods whose answer depends on what was posted before. */
  private stateful(method: string): Responder | undefined {
    const page = (list: StoredMessage[], args: Record<string, unknown>) => {
      const limit = Number(args.limit ?? 100);
      const start = Number(args.cursor ?? 0);
      const slice = list.slice(start, start + limit).map((m) => ({
        type: 'message',
        ts: m.ts,
        ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
        text: m.text ?? '',
        // Slack returns metadata only when asked for it.
        ...(m.metadata && String(args.include_all_metadata) === 'true' ? { metadata: m.metadata } : {}),
        ...(m.files ? { files: m.files } : {}),
      }));
      const next = start + limit < list.length ? String(start + limit) : '';
      return { ok: true, messages: slice, has_more: next !== '', response_metadata: { next_cursor: next } };
    };
    if (method === 'conversations.join') {
      return (args) => {
        this.outside.delete(String(args.channel));
        return { ok: true, channel: { id: args.channel } };
      };
    }
    if ((method === 'conversations.history' || method === 'conversations.replies') && this.outside.size > 0) {
      const read = this.stateful(method === 'conversations.history' ? 'history:member' : 'replies:member');
      return (args) =>
        this.outside.has(String(args.channel)) ? { ok: false, error: 'not_in_channel' } : (read?.(args) ?? {});
    }
    if (method === 'conversations.history' || method === 'history:member') {
      return (args) =>
        page(
          this.messages
            .filter((m) => m.channel === args.channel && !m.thread_ts && m.ts >= String(args.oldest ?? '0'))
            .reverse(),
          args,
        );
    }
    if (method === 'conversations.replies' || method === 'replies:member') {
      return (args) =>
        page(
          this.messages.filter((m) => m.channel === args.channel && (m.ts === args.ts || m.thread_ts === args.ts)),
          args,
        );
    }
    if (method === 'conversations.open') {
      return (args) => ({ ok: true, channel: { id: `D${String(args.users)}` } });
    }
    return undefined;
  }

  /** Records a successful post as Slack would have it (a DM to a user lands in their D channel). */
  private keep(method: string, args: Record<string, unknown>, reply: Reply): void {
    if ('status' in reply && typeof reply.status === 'number') return;
    if ((reply as { ok?: boolean }).ok !== true) return;
    const dm = (channel: string) => (/^[UW]/.test(channel) ? `D${channel}` : channel);
    if (method === 'chat.postMessage') {
      const ts = String((reply as { ts?: string }).ts ?? '');
      this.messages.push({
        channel: dm(String(args.channel)),
        ts,
        ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
        text: String(args.text ?? ''),
        ...(args.metadata ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
      });
    } else if (method === 'files.getUploadURLExternal') {
      const r = reply as { file_id?: string };
      if (r.file_id) this.uploads.set(r.file_id, String(args.filename ?? ''));
    } else if (method === 'files.completeUploadExternal' && args.channel_id) {
      const files = (Array.isArray(args.files) ? args.files : JSON.parse(String(args.files ?? '[]'))) as Array<{
        id: string;
        title?: string;
      }>;
      this.messages.push({
        channel: String(args.channel_id),
        ts: `${++tsCounter}.000100`,
        ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
        files: files.map((f) => ({
          id: f.id,
          name: this.uploads.get(f.id) ?? '',
          ...(f.title ? { title: f.title } : {}),
        })),
      });
    }
  }

  /** The bot posts in `channel` without being a member: Slack will not let it read there until it joins. */
  notAMemberOf(channel: string): this {
    this.outside.add(channel);
    return this;
  }

  /** Messages Slack has in `channel` (a thread's replies included), oldest first. */
  messagesIn(channel: string): StoredMessage[] {
    return this.messages.filter((m) => m.channel === channel);
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

  /**
   * The next matching call is never answered. `applied`: Slack carried it out (the message is in
   * the channel); otherwise it was lost on the way.
   */
  hold(method: string, match: (args: Record<string, unknown>) => boolean, applied: boolean): this {
    this.holds.push({ method, match, applied });
    return this;
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
    this.messages.length = 0;
    this.uploads.clear();
    this.holds.length = 0;
    this.outside.clear();
    this.responders.clear();
    this.files.clear();
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
