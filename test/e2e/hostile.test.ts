import { describe, expect, it } from 'vitest';
import { anyIdBut, envelopeGuard } from '../../handlers/guard.ts';
import { createLogger } from '../../src/logger.ts';
import { JOB_PROVIDER_ACTION_ID, JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import {
  blockAction,
  interactionBody,
  postSigned,
  slashCommandBody,
  viewSubmission,
} from '../support/slack-request.ts';
import { startValues, useJobHarness } from './job-flow.ts';

/**
 * Requests Slack never sends, signed as if it had: each is answered within Slack's 3 s (an ack, a
 * field error, or 400 for a body that is no Slack request at all), nothing is stored, no provider is
 * called, and the bot is still serving afterwards.
 */

const { h, openai } = useJobHarness();

const SLACK_DEADLINE_MS = 3000;
const MEGABYTE = 'x'.repeat(1024 * 1024);
const CHANNEL_META = JSON.stringify({ v: 1, channel: 'C0CHAN' });

async function send(body: string, contentType?: string) {
  const res = await h.post(body, contentType);
  expect(res.ms, `answered within ${SLACK_DEADLINE_MS} ms`).toBeLessThan(SLACK_DEADLINE_MS);
  return res;
}

/** The start form with one field's state replaced by `state`. */
function startForm(block: string, state: unknown, action = 'value') {
  const values: Record<string, Record<string, unknown>> = startValues({ fileId: 'file-abc123' });
  values[block] = { [action]: state };
  return interactionBody(
    viewSubmission({ callbackId: JOB_START_CALLBACK_ID, privateMetadata: CHANNEL_META, values: values as never }),
  );
}

const goodRequest = {
  provider: 'openai',
  channelId: 'C0JOBS',
  model: 'gpt-4.1-mini-2025-04-14',
  method: 'supervised',
  trainingFileId: 'file-abc123',
  suffix: 'tickets',
  hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
};

function review(request: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const privateMetadata = JSON.stringify({ v: 1, request, estimateUsd: 1, needsApproval: false, ...extra });
  return interactionBody(viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata, values: {} }));
}

async function nothingHappened() {
  expect(await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 50 }))).toEqual([]);
  expect(openai.requests.filter((r) => r.method !== 'GET')).toEqual([]);
}

describe('bodies that are no Slack request', () => {
  it.each([
    ['payload=null', 'payload=null'],
    ['payload=1', 'payload=1'],
    ['payload="x"', `payload=${encodeURIComponent('"x"')}`],
    ['payload=[]', `payload=${encodeURIComponent('[]')}`],
  ])('answers a signed %s with 400 and keeps serving', async (_name, body) => {
    expect((await send(body)).status).toBe(400);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('answers JSON bodies that are no object (null, a number, an array) with 400', async () => {
    for (const body of ['null', '5', '[]', '"x"']) expect((await send(body, 'application/json')).status).toBe(400);
  });

  it('acks a form body with no payload, and one of a kind the app does not serve, at once', async () => {
    expect((await send('foo=bar')).status).toBe(200);
    expect((await send(interactionBody({ type: 'shortcut', callback_id: 'x' }))).status).toBe(200);
  });

  it('leaves an unsigned payload=null to Bolt, which refuses it', async () => {
    const res = await postSigned(`${h.url}/slack/events`, 'payload=null', 'not-the-secret');
    expect(res.status).toBe(401);
  });
});

describe('a view submission with state Slack would never send', () => {
  it.each([
    ['a number', 5],
    ['an object', { n: 5 }],
    ['an array', [5]],
  ])('acks and drops epochs whose value is %s', async (_name, value) => {
    const res = await send(startForm('epochs', { type: 'plain_text_input', value }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await nothingHappened();
  });

  it('reads a null value as an empty field, as Slack means it', async () => {
    const res = await send(startForm('batchSize', { type: 'plain_text_input', value: null }));
    expect(res.json()).toMatchObject({ response_action: 'update' });
    await nothingHappened();
  });

  it.each([
    ['epochs', '-5', 'Epochs is a whole number'],
    ['epochs', '1e9', 'Epochs is a whole number'],
    ['batchSize', '1000000000', 'Batch size is a whole number'],
    ['lrMultiplier', '11', 'learning-rate multiplier'],
  ])('answers %s %s with a field error', async (block, value, message) => {
    const res = await send(startForm(block, { type: 'plain_text_input', value }));
    expect(res.json()).toMatchObject({
      response_action: 'errors',
      errors: { [block]: expect.stringContaining(message) },
    });
    await nothingHappened();
  });

  it.each(['constructor', '__proto__', 'toString'])('answers provider %s with “Choose a provider.”', async (id) => {
    const res = await send(
      startForm('provider', { type: 'static_select', selected_option: { value: id } }, JOB_PROVIDER_ACTION_ID),
    );
    expect(res.json()).toEqual({ response_action: 'errors', errors: { provider: 'Choose a provider.' } });
    await nothingHappened();
  });

  it('acks and drops a megabyte suffix, model or button value', async () => {
    for (const body of [
      startForm('suffix', { type: 'plain_text_input', value: MEGABYTE }),
      startForm('model_openai', { type: 'static_select', selected_option: { value: MEGABYTE } }, 'job_model'),
      interactionBody(blockAction({ actionId: 'job_cancel', value: MEGABYTE })),
    ]) {
      const res = await send(body);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
    }
    await nothingHappened();
  });
});

describe('forged review metadata', () => {
  it.each([
    ['provider constructor', { ...goodRequest, provider: 'constructor' }],
    ['provider __proto__', { ...goodRequest, provider: '__proto__' }],
    ['provider toString', { ...goodRequest, provider: 'toString' }],
    ['epochs -5', { ...goodRequest, hyperparameters: { ...goodRequest.hyperparameters, nEpochs: -5 } }],
    ['batch size 1e9', { ...goodRequest, hyperparameters: { ...goodRequest.hyperparameters, batchSize: 1e9 } }],
    [
      'a learning-rate multiplier of 0',
      { ...goodRequest, hyperparameters: { ...goodRequest.hyperparameters, learningRateMultiplier: 0 } },
    ],
    [
      'a smuggled Slack file',
      { ...goodRequest, slackFile: { id: 'F1', name: 'x.jsonl', url: 'http://evil.example/x' } },
    ],
    ['a model id with spaces', { ...goodRequest, model: 'gpt 4; drop' }],
    ['a channel that is no id', { ...goodRequest, channelId: '#general' }],
  ])('refuses %s with a note and creates nothing', async (_name, request) => {
    const res = await send(review(request));
    expect(JSON.stringify(res.json())).toContain('older version of the bot');
    await nothingHappened();
  });

  it('acks and drops review metadata over Slack’s 3,000 characters', async () => {
    const res = await send(review({ ...goodRequest, suffix: MEGABYTE }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await nothingHappened();
  });
});

describe('actions and views no listener knows', () => {
  it('acks a 40 KB private_metadata on the provider select without echoing it into a view', async () => {
    const action = {
      ...blockAction({ actionId: JOB_PROVIDER_ACTION_ID, value: 'openai' }),
      container: { type: 'view', view_id: 'V0001' },
      view: {
        ...viewSubmission({ callbackId: JOB_START_CALLBACK_ID, values: startValues() }).view,
        private_metadata: JSON.stringify({ v: 1, channel: 'C0CHAN', pad: 'x'.repeat(40_000) }),
      },
    };
    const res = await send(interactionBody(action));
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.callsTo('views.update')).toEqual([]);
  });

  it.each([
    ['an unknown action id', blockAction({ actionId: 'from_an_older_release', value: 'x' })],
    [
      'a link button',
      {
        ...blockAction({ actionId: 'docs_link', value: '' }),
        actions: [
          { type: 'button', action_id: 'docs_link', block_id: 'b', url: 'https://example.com/docs', action_ts: '1.2' },
        ],
      },
    ],
    ['an unknown callback id', viewSubmission({ callbackId: 'from_an_older_release', values: {} })],
    ['a view_closed', { ...viewSubmission({ callbackId: JOB_START_CALLBACK_ID, values: {} }), type: 'view_closed' }],
  ])('acks %s at once', async (_name, payload) => {
    const res = await send(interactionBody(payload));
    expect(res.status).toBe(200);
  });

  it('leaves known ids to their own listener, so none is acked twice', () => {
    const fallback = anyIdBut(['job_cancel', 'job.details']);
    expect(fallback.test('job_cancel')).toBe(false);
    expect(fallback.test('job.details')).toBe(false);
    expect(fallback.test('jobXdetails')).toBe(true);
    expect(fallback.test('job_cancel_2')).toBe(true);
  });
});

describe('after all that', () => {
  it('is still serving: /healthz and /finetune help answer', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const res = await send(slashCommandBody({ text: 'help' }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json())).toContain('/finetune');
    await nothingHappened();
  });
});

describe('the envelope middleware (what checks Socket Mode requests)', () => {
  const guard = envelopeGuard(createLogger('silent'));
  const run = async (body: unknown) => {
    let acked = 0;
    let passed = 0;
    await guard({
      body,
      ack: async () => {
        acked += 1;
      },
      next: async () => {
        passed += 1;
      },
    } as never);
    return { acked, passed };
  };

  it('acks and drops a mis-shaped body before any listener', async () => {
    const bad = viewSubmission({
      callbackId: JOB_START_CALLBACK_ID,
      values: { epochs: { value: { type: 'plain_text_input', value: 5 as never } } },
    });
    expect(await run(bad)).toEqual({ acked: 1, passed: 0 });
    expect(await run({ ...blockAction({ actionId: 'job_cancel', value: 'x' }), actions: 5 })).toEqual({
      acked: 1,
      passed: 0,
    });
  });

  it('passes a well-formed body on without acking it', async () => {
    expect(await run(blockAction({ actionId: 'job_cancel', value: 'ft-1' }))).toEqual({ acked: 0, passed: 1 });
  });
});
