import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ANSWER_ACTION_ID } from '../../src/slack/questionnaire-view.ts';
import { interactionBody, viewSubmission } from '../support/slack-request.ts';
import { Harness } from './harness.ts';

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());
beforeEach(() => h.slack.reset());

const a = ANSWER_ACTION_ID;
const submission = interactionBody(
  viewSubmission({
    callbackId: 'advise_questionnaire',
    privateMetadata: '{"v":1,"channel":"C0CHAN"}',
    values: {
      useCase: { [a]: { type: 'plain_text_input', value: 'Support tone' } },
      taskType: { [a]: { type: 'static_select', selected_option: { value: 'style' } } },
      examples: { [a]: { type: 'plain_text_input', value: '300' } },
      dataVolume: { [a]: { type: 'radio_buttons', selected_option: { value: 'small' } } },
      specialization: { [a]: { type: 'radio_buttons', selected_option: { value: 'medium' } } },
      latency: { [a]: { type: 'radio_buttons', selected_option: { value: 'strict' } } },
      sensitivity: { [a]: { type: 'radio_buttons', selected_option: { value: 'public' } } },
      monthlyTokens: { [a]: { type: 'plain_text_input', value: '2M' } },
      knowledgeChange: { [a]: { type: 'static_select', selected_option: { value: 'rarely' } } },
    },
  }),
);

describe('/finetune advise when something breaks after the ack', () => {
  it('records a failed delivery when Slack keeps answering 500', async () => {
    h.slack.on('chat.postMessage', () => ({ status: 500, body: { ok: false } }));
    expect((await h.post(submission)).status).toBe(200);
    await expect
      .poll(() => h.withStore(async (s) => (await s.listAdviceSessions({ teamId: 'T0001', limit: 1 }))[0]?.delivery), {
        timeout: 8000,
      })
      .toEqual({ via: 'failed', note: 'Slack did not answer' });
    // Retried, then given up: the first try plus the client's two retries.
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(3);
  });

  it('tells the person by DM when the store cannot save, and posts nothing in the channel', async () => {
    const db = new DatabaseSync(h.dbPath);
    db.exec('ALTER TABLE advice_sessions RENAME TO advice_sessions_away');
    try {
      expect((await h.post(submission)).status).toBe(200);
      const [dm] = await h.slack.waitFor('chat.postMessage');
      expect(dm?.args).toMatchObject({
        channel: 'U0ASKER',
        text: 'I worked out your recommendation but could not save it, so I did not post it. Please try `/finetune advise` again in a minute.',
      });
      expect(h.slack.callsTo('chat.postMessage')).toHaveLength(1);
    } finally {
      db.exec('ALTER TABLE advice_sessions_away RENAME TO advice_sessions');
      db.close();
    }
  });
});
