import { createHmac } from 'node:crypto';

/** Builds and signs requests the way Slack does (v0 HMAC-SHA256 over "v0:timestamp:body"). */

export function sign(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

export interface SlashCommandOptions {
  text?: string;
  userId?: string;
  channelId?: string;
  teamId?: string;
  responseUrl?: string;
  command?: string;
}

export function slashCommandBody(o: SlashCommandOptions = {}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: o.teamId ?? 'T0001',
    team_domain: 'acme',
    channel_id: o.channelId ?? 'C0CHAN',
    channel_name: 'ml-team',
    user_id: o.userId ?? 'U0ASKER',
    user_name: 'ada',
    command: o.command ?? '/finetune',
    text: o.text ?? '',
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: o.responseUrl ?? 'https://hooks.slack.com/commands/T0001/1/abc',
    trigger_id: `${Date.now()}.1.trigger`,
  }).toString();
}

export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

type StateValue = {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
  files?: Array<Record<string, unknown>>;
  selected_conversation?: string | null;
};

let viewCounter = 0;

/**
 * A view_submission for a modal, with state values as Slack sends them: block_id → action_id → value.
 * Each call is a new modal (a new view id) unless `viewId` says which one was submitted again.
 */
export function viewSubmission(o: {
  callbackId: string;
  values: Record<string, Record<string, StateValue>>;
  privateMetadata?: string;
  userId?: string;
  teamId?: string;
  viewId?: string;
}) {
  return {
    type: 'view_submission',
    team: { id: o.teamId ?? 'T0001', domain: 'acme' },
    user: { id: o.userId ?? 'U0ASKER', username: 'ada', name: 'ada', team_id: o.teamId ?? 'T0001' },
    api_app_id: 'A0APP',
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.2.trigger`,
    view: {
      id: o.viewId ?? `V0${(++viewCounter).toString(36).toUpperCase().padStart(4, '0')}`,
      team_id: o.teamId ?? 'T0001',
      type: 'modal',
      callback_id: o.callbackId,
      private_metadata: o.privateMetadata ?? '',
      hash: 'h1',
      state: { values: o.values },
      blocks: [],
      title: { type: 'plain_text', text: 'x' },
    },
    response_urls: [],
  };
}

export function eventCallback(event: object, teamId = 'T0001') {
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A0APP',
    event,
    type: 'event_callback',
    event_id: `Ev${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: teamId, user_id: 'U0BOT', is_bot: true }],
  };
}

export async function postSigned(
  url: string,
  body: string,
  secret: string,
  contentType = 'application/x-www-form-urlencoded',
  headers: Record<string, string> = sign(body, secret),
): Promise<{ status: number; text: string; json: () => unknown; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text), ms: performance.now() - started };
}

/** A button press on a message, as Slack sends block_actions. */
export function blockAction(o: {
  actionId: string;
  value: string;
  channelId?: string;
  userId?: string;
  responseUrl?: string;
}) {
  return {
    type: 'block_actions',
    team: { id: 'T0001', domain: 'acme' },
    user: { id: o.userId ?? 'U0ASKER', username: 'ada', name: 'ada', team_id: 'T0001' },
    api_app_id: 'A0APP',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: o.channelId ?? 'C0CHAN' },
    trigger_id: `${Date.now()}.3.trigger`,
    channel: { id: o.channelId ?? 'C0CHAN', name: 'ml-team' },
    message: { ts: '1700000000.000100', text: 'a message' },
    response_url: o.responseUrl ?? 'https://hooks.slack.com/actions/T0001/1/abc',
    actions: [
      {
        type: 'button',
        action_id: o.actionId,
        block_id: 'advice_actions',
        value: o.value,
        action_ts: `${Date.now() / 1000}`,
        text: { type: 'plain_text', text: 'Estimate cost' },
      },
    ],
  };
}

/** A file as file_input puts it in view state: what Slack tells us about an upload. */
export function uploadedFile(o: { name: string; url: string; size: number; id?: string }) {
  return {
    id: o.id ?? 'F0TRAIN',
    name: o.name,
    title: o.name,
    filetype: o.name.split('.').pop() ?? 'text',
    mimetype: 'application/octet-stream',
    size: o.size,
    url_private: o.url,
    url_private_download: o.url,
    user: 'U0ASKER',
  };
}
