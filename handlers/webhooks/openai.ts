import type { ServerResponse } from 'node:http';
import { type CustomRoute, HTTPModuleFunctions } from '@slack/bolt';
import { type ProviderWebhook, REFUSED } from '../../src/jobs/provider-webhook.ts';
import type { Logger } from '../../src/logger.ts';

export const OPENAI_WEBHOOK_PATH = '/webhooks/openai';

/** OpenAI's events are a few hundred bytes; anything near this is not from OpenAI. */
const BODY_LIMIT = 256 * 1024;

/**
 * POST /webhooks/openai, as a custom route of Bolt's HTTPReceiver (the receiver guard passes it
 * through untouched). Reads the raw body, which the signature covers byte for byte, answers with
 * the verdict, and leaves the rest to src/jobs/provider-webhook.ts.
 */
export function openaiWebhookRoute(webhook: ProviderWebhook, logger: Logger): CustomRoute {
  return {
    path: OPENAI_WEBHOOK_PATH,
    method: ['POST'],
    handler: (req, res) => {
      HTTPModuleFunctions.bufferIncomingMessage(req, BODY_LIMIT)
        .then(
          (buffered) =>
            webhook.receive(buffered.rawBody.toString('utf8'), req.headers).then((a) => send(res, a.status)),
          (error: unknown) => {
            const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
            logger.warn({ reason: tooLarge ? 'body too large' : 'body could not be read' }, REFUSED);
            send(res, tooLarge ? 413 : 400);
          },
        )
        .catch((error: unknown) => {
          logger.error({ err: error }, 'the OpenAI webhook failed');
          send(res, 500);
        });
    },
  };
}

function send(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'cache-control': 'no-store' });
  res.end();
}
