import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyMiddlewareArgs,
  defaultBodyLimit,
  HTTPModuleFunctions,
  type HTTPReceiver,
  isValidSlackRequest,
  type Middleware,
} from '@slack/bolt';
import type { Logger } from '../src/logger.ts';
import { checkEnvelope, type EnvelopeVerdict } from '../src/slack/payloads.ts';

/**
 * What is dropped at the edge, before any listener: requests whose envelope is not what Slack sends
 * (src/slack/payloads.ts). Only the kind and the zod path are logged, never the payload: it is
 * attacker-sized and may hold what a user typed.
 */

function logDropped(logger: Logger, verdict: Exclude<EnvelopeVerdict, { ok: true }>): void {
  const fields = { kind: verdict.kind, path: verdict.path, problem: verdict.problem };
  // A kind we register nothing for is Slack being Slack (a shortcut left in the manifest), not a forgery.
  if (verdict.served) logger.warn(fields, 'dropped a request that is not shaped like Slack’s');
  else logger.debug(fields, 'acked a kind of request this app does not serve');
}

/**
 * Global middleware: acks and drops a request whose envelope does not match, so listeners only see
 * typed bodies. In HTTP mode the receiver guard below has already answered such requests; this is
 * what checks them in Socket Mode, and what still stands if the receiver is ever built without it.
 */
export function envelopeGuard(logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const verdict = checkEnvelope(args.body);
    if (verdict.ok) {
      await args.next();
      return;
    }
    logDropped(logger, verdict);
    // Events were acked by Bolt already; everything else would time out into an error for the user.
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
  };
}

export interface ReceiverGuardOptions {
  signingSecret: string;
  logger: Logger;
  /** The receiver's own; Bolt's defaults. */
  endpoints?: string[];
  bodyLimit?: number;
}

type Answer = { status: number };

/**
 * Bolt's HTTPReceiver reads `body.ssl_check` on whatever JSON.parse returned, outside any try, in an
 * async function nobody awaits (HTTPReceiver.js, handleIncomingEvent): a signed `payload=null` is an
 * unhandled rejection that ends the process. A body that parses to no object at all (1, "x", [])
 * survives that line but reaches no listener, and is answered 404 after 3 s. So a request to the
 * Slack endpoint is read here first, the way Bolt reads it (HTTPModuleFunctions, the same body
 * limit), and only a signed request whose body Bolt can serve is handed on; the body stays buffered
 * on the request, where Bolt picks it up instead of reading the stream again.
 *
 * Unsigned requests go to Bolt untouched, which refuses them with 401 (or answers ssl_check): nothing
 * is logged here for a request anyone on the internet can send.
 */
export function guardHttpReceiver<R extends HTTPReceiver>(receiver: R, options: ReceiverGuardOptions): R {
  const endpoints = options.endpoints ?? ['/slack/events'];
  const bolt = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST' || !endpoints.includes(pathOf(req.url))) {
      // Custom routes and Bolt's 404 for unknown paths; its own try/catch handles a throw here.
      bolt(req, res);
      return;
    }
    screen(req, options)
      .then((answer) => {
        if (answer) send(res, answer.status);
        else bolt(req, res);
      })
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'the request guard failed');
        send(res, 500);
      });
  };
  return receiver;
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

function send(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status);
  res.end();
}

async function screen(req: IncomingMessage, options: ReceiverGuardOptions): Promise<Answer | undefined> {
  let raw: string;
  try {
    const buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, options.bodyLimit ?? defaultBodyLimit);
    raw = buffered.rawBody.toString();
  } catch (error) {
    const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
    return { status: tooLarge ? 413 : 400 };
  }
  if (!signed(req, raw, options.signingSecret)) return undefined;
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(req as IncomingMessage & { rawBody: Buffer });
  } catch {
    return undefined; // Bolt answers malformed JSON with 400 itself.
  }
  const verdict = checkEnvelope(body);
  if (verdict.ok) return undefined;
  logDropped(options.logger, verdict);
  // A body that is no object is no Slack request at all; a mis-shaped one is acked and dropped, as
  // the middleware would.
  return { status: verdict.kind.startsWith('not-an-object') ? 400 : 200 };
}

function signed(req: IncomingMessage, body: string, signingSecret: string): boolean {
  const signature = req.headers['x-slack-signature'];
  const timestamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
  return isValidSlackRequest({
    signingSecret,
    body,
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matches every id except these. Bolt runs every listener that matches, so the fallback for ids no
 * table entry handles must not match the known ones, or they would be acked twice.
 */
export function anyIdBut(ids: readonly string[]): RegExp {
  return new RegExp(`^(?!(?:${ids.map(escapeRegExp).join('|')})$)`);
}

/**
 * The fallback listener: acks what no listener handles (a link button, a button from an older
 * release, a forged id), so Slack does not show an error after 3 s. Logged at debug: link buttons
 * send these on every click.
 */
export function ackUnhandled(logger: Logger, kind: 'action' | 'view' | 'command') {
  return async (args: { ack: () => Promise<void>; payload: unknown }): Promise<void> => {
    await args.ack();
    const payload = args.payload as { action_id?: unknown; callback_id?: unknown; command?: unknown };
    const id = payload.action_id ?? payload.callback_id ?? payload.command;
    logger.debug({ kind, id: typeof id === 'string' ? id.slice(0, 64) : undefined }, 'acked with no listener');
  };
}
