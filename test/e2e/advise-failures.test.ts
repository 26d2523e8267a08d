import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adviceSubmission, Harness } from './harness.ts';

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());
beforeEach(() => h.slack.reset());

const submission = adviceSubmission();

describe('/finetune advise when something breaks after the ack', () => {
  it('records a failed delivery when Slack keeps answering 500, for the channel and the DM', async () => {
    h.slack.on('chat.postMessage', () => ({ status: 500, body: { ok: false } }));
    expect((await h.post(submission)).status).toBe(200);
    await expect
      .poll(() => h.withStore(async (s) => (await s.listAdviceSessions({ teamId: 'T0001', limit: 1 }))[0]?.delivery), {
        timeout: 8000,
      })
      .toEqual({ via: 'failed', note: 'Slack did not answer' });
    // Each retried, then given up: the first try plus the client's two retries, channel then DM.
    expect(h.slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([
      ...Array(3).fill('C0CHAN'),
      ...Array(3).fill('U0ASKER'),
    ]);
  });

  it('answers by DM when the channel post keeps failing with 500s', async () => {
    h.slack.on('chat.postMessage', (args) =>
      args.channel === 'C0CHAN' ? { status: 500, body: { ok: false } } : { ok: true, channel: 'D0DM', ts: '7.7' },
    );
    expect((await h.post(submission)).status).toBe(200);
    await expect
      .poll(() => h.withStore(async (s) => (await s.listAdviceSessions({ teamId: 'T0001', limit: 1 }))[0]?.delivery), {
        timeout: 8000,
      })
      .toMatchObject({ via: 'dm', channelId: 'D0DM', messageTs: '7.7' });
    const dm = h.slack.callsTo('chat.postMessage').at(-1)?.args as {
      blocks: Array<{ elements?: Array<{ text: string }> }>;
    };
    expect(dm.blocks[0]?.elements?.[0]?.text).toContain('Slack did not take my post in <#C0CHAN>');
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
