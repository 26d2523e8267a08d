import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/**
 * Signs requests the way OpenAI's webhooks do (Standard Webhooks): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the bytes the base64 after `whsec_`
 * stands for. Written from the spec, not from the SDK, so the SDK's verification is checked against it.
 */

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface SignOptions {
  id?: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
}

export function signWebhook(body: string, secret: string, o: SignOptions = {}): Record<string, string> {
  const id = o.id ?? `wh_${randomUUID().replaceAll('-', '')}`;
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/** An event as OpenAI sends it (UnwrapWebhookEvent): `data.id` is the fine-tuning job's id. */
export function webhookEvent(type: string, jobId: string): string {
  return JSON.stringify({
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    created_at: Math.floor(Date.now() / 1000),
    type,
    data: { id: jobId },
  });
}

export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)',
      ...headers,
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
