import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningBot, startBot } from '../../src/main.ts';
import { ANSWER_ACTION_ID } from '../../src/slack/questionnaire-view.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { viewSubmission } from '../support/slack-request.ts';

/**
 * The default mode, end to end: the fake Web API answers apps.connections.open (Socket Mode asks
 * SLACK_API_URL for its socket URL like any other call), and a local WebSocket server plays Slack's
 * socket.
 */

const APP_TOKEN = 'xapp-1-A0APP-1-socketsecret';
const slack = new FakeSlack();
let wss: WebSocketServer;
const dir = mkdtempSync(join(tmpdir(), 'ftbot-socket-'));
let bot: RunningBot;
let socket: WebSocket;
const received: Array<{ envelope_id: string; payload: Record<string, unknown> }> = [];

function nextAck(envelopeId: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${envelopeId}`)), 3000);
    const check = () => {
      const found = received.find((m) => m.envelope_id === envelopeId);
      if (!found) return setTimeout(check, 5);
      clearTimeout(timer);
      resolve(found.payload);
    };
    check();
  });
}

beforeAll(async () => {
  await slack.start();
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link/?ticket=t1`;
  slack.on('apps.connections.open', () => ({ ok: true, url: wsUrl }));
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => received.push(JSON.parse(String(data))));
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' } }));
  });
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-socket',
    SLACK_APP_TOKEN: APP_TOKEN,
    PORT: '0',
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
    AZURE_RETAIL_PRICES_URL: 'off', // tests never reach prices.azure.com
  });
  bot = await startBot(config, { logger: createLogger(process.env.TEST_LOG ?? 'silent') });
});

afterAll(async () => {
  await bot?.stop();
  wss.close();
  await slack.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Socket Mode', () => {
  it('connects with the app token and serves /healthz on its own port', async () => {
    expect(socket).toBeDefined();
    expect(slack.callsTo('apps.connections.open')[0]?.authorization).toBe(`Bearer ${APP_TOKEN}`);
    const res = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    expect(res.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${bot.port}/slack/events`, { method: 'POST' })).status).toBe(404);
  });

  it('acks /finetune advise over the socket and opens the questionnaire', async () => {
    socket.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          team_id: 'T0001',
          channel_id: 'C0CHAN',
          user_id: 'U0ASKER',
          command: '/finetune',
          text: 'advise',
          response_url: `${slack.url}/respond/s1`,
          trigger_id: 'trigger-s1',
          api_app_id: 'A0APP',
        },
      }),
    );
    expect(await nextAck('env-1')).toEqual({});
    const [open] = await slack.waitFor('views.open', 1, 3000);
    expect(open?.args).toMatchObject({ trigger_id: 'trigger-s1', view: { callback_id: 'advise_questionnaire' } });
  });

  it('returns field errors in the ack of a bad submission', async () => {
    socket.send(
      JSON.stringify({
        envelope_id: 'env-2',
        type: 'interactive',
        accepts_response_payload: true,
        payload: viewSubmission({
          callbackId: 'advise_questionnaire',
          values: { useCase: { [ANSWER_ACTION_ID]: { type: 'plain_text_input', value: '' } } },
          privateMetadata: '{"v":1,"channel":"C0CHAN"}',
        }),
      }),
    );
    const ack = await nextAck('env-2');
    expect(ack).toMatchObject({ response_action: 'errors', errors: { useCase: 'Give the use case a short name.' } });
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });
});
