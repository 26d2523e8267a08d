import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWaits } from '../../src/main.ts';
import { ANSWER_ACTION_ID } from '../../src/slack/questionnaire-view.ts';
import { checkMessage, checkView } from '../support/slack-limits.ts';
import { eventCallback, interactionBody, sign, slashCommandBody, viewSubmission } from '../support/slack-request.ts';
import { BOT_TOKEN, Harness } from './harness.ts';

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());
beforeEach(() => h.slack.reset());

const text = (value: string) => ({ [ANSWER_ACTION_ID]: { type: 'plain_text_input', value } });
const pick = (value: string) => ({ [ANSWER_ACTION_ID]: { type: 'radio_buttons', selected_option: { value } } });
const legalAnswers = {
  useCase: text('Legal document classification'),
  taskType: pick('classification'),
  examples: text('20,000'),
  dataVolume: pick('large'),
  specialization: pick('high'),
  latency: pick('flexible'),
  sensitivity: pick('internal'),
  monthlyTokens: text('50M'),
  tried: { [ANSWER_ACTION_ID]: { type: 'checkboxes', selected_options: [] } },
  knowledgeChange: pick('rarely'),
};
const submission = (values: object, channel = 'C0CHAN') =>
  interactionBody(
    viewSubmission({
      callbackId: 'advise_questionnaire',
      values: values as never,
      privateMetadata: JSON.stringify({ v: 1, channel }),
    }),
  );
const sessions = () => h.withStore((s) => s.listAdviceSessions({ teamId: 'T0001', limit: 50 }));

describe('/finetune advise, end to end over HTTP', () => {
  it('answers /healthz while the store answers', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('acks the command at once and opens a valid questionnaire within 3 s', async () => {
    // A slow views.open must not hold the ack back: the ack goes first.
    h.slack.on('views.open', () => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 1000)));
    const body = slashCommandBody({ text: 'advise' });
    const res = await h.post(body);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.ms).toBeLessThan(1000);
    const [open] = await h.slack.waitFor('views.open', 1, 3000);
    expect(open?.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(open?.args.trigger_id).toBe(new URLSearchParams(body).get('trigger_id'));
    const view = open?.args.view as Record<string, unknown>;
    expect(checkView(view)).toEqual([]);
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: 'advise_questionnaire',
      private_metadata: '{"v":1,"channel":"C0CHAN"}',
    });
  });

  it.each([
    ['', /^I help your team decide/],
    ['help', /^I help your team decide/],
    ['HELP', /^I help your team decide/],
    ['deploy now', /^I don't know `\/finetune deploy now`/],
  ])('answers "/finetune %s" with ephemeral help in the ack itself', async (sub, intro) => {
    const res = await h.post(slashCommandBody({ text: sub }));
    expect(res.status).toBe(200);
    const reply = res.json() as { response_type: string; text: string };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(intro);
    expect(reply.text).toContain('`/finetune advise`');
    expect(h.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('tells the user to try again when the trigger has expired', async () => {
    h.slack.on('views.open', () => ({ ok: false, error: 'expired_trigger_id' }));
    await h.post(slashCommandBody({ text: 'advise', responseUrl: `${h.slack.url}/respond/1` }));
    const [reply] = await h.slack.waitFor('response_url/respond/1');
    expect(reply?.args).toMatchObject({
      response_type: 'ephemeral',
      text: 'Slack did not let me open the questionnaire in time. Please run `/finetune advise` again.',
    });
  });

  it('posts the recommendation in the channel and stores the session', async () => {
    const before = (await sessions()).length;
    const res = await h.post(submission(legalAnswers));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [post] = await h.slack.waitFor('chat.postMessage');
    expect(post?.args.channel).toBe('C0CHAN');
    expect(checkMessage(post?.args as never)).toEqual([]);
    expect(post?.args.text).toMatch(/^Fine-tune: yes — Legal document classification\. High specialization/);
    expect(JSON.stringify(post?.args.blocks)).toContain('Asked by <@U0ASKER>');

    await expect
      .poll(async () => (await sessions())[0]?.delivery)
      .toEqual({ via: 'channel', channelId: 'C0CHAN', messageTs: expect.any(String) });
    const all = await sessions();
    expect(all).toHaveLength(before + 1);
    expect(all[0]).toMatchObject({
      userId: 'U0ASKER',
      channelId: 'C0CHAN',
      answers: { useCase: 'Legal document classification', examples: 20_000, monthlyTokens: 50_000_000 },
      recommendation: { verdict: 'fine_tune', fineTune: true, confidence: 'high' },
    });
  });

  it('returns field errors on the exact blocks, and stores and posts nothing', async () => {
    const before = (await sessions()).length;
    const res = await h.post(
      submission({ ...legalAnswers, useCase: text('  '), examples: text('abc'), monthlyTokens: text('-3') }),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: {
        useCase: 'Give the use case a short name.',
        examples: '"abc" is not a number. Try 2500, 2.5k or 50M.',
        monthlyTokens: 'Use a number of zero or more.',
      },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
    expect(await sessions()).toHaveLength(before);
  });

  it('refuses an absurd number with a clear error', async () => {
    const res = await h.post(submission({ ...legalAnswers, examples: text('999999999999') }));
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { examples: 'That is more than 100 million; check the number.' },
    });
  });

  it('answers in a DM, saying why, when the bot is not in the channel', async () => {
    h.slack.on('chat.postMessage', (args) =>
      args.channel === 'CPRIVATE' ? { ok: false, error: 'not_in_channel' } : { ok: true, channel: 'D0DM', ts: '9.9' },
    );
    await h.post(submission(legalAnswers, 'CPRIVATE'));
    const posts = await h.slack.waitFor('chat.postMessage', 2);
    expect(posts.map((p) => p.args.channel)).toEqual(['CPRIVATE', 'U0ASKER']);
    const dm = posts[1]?.args as { blocks: Array<{ elements?: Array<{ text: string }> }> };
    expect(dm.blocks[0]?.elements?.[0]?.text).toContain('I could not post in <#CPRIVATE> because I am not a member.');
    await expect.poll(async () => (await sessions())[0]?.delivery?.via).toBe('dm');
  });

  it('records a failed delivery when Slack refuses both the channel and the DM', async () => {
    h.slack.on('chat.postMessage', () => ({ ok: false, error: 'channel_not_found' }));
    await h.post(submission(legalAnswers, 'CGONE'));
    await h.slack.waitFor('chat.postMessage', 2);
    await expect
      .poll(async () => (await sessions())[0]?.delivery)
      .toMatchObject({ via: 'failed', note: expect.stringContaining('The DM failed too (channel_not_found)') });
  });

  it('rejects forged, stale and unsigned requests before any work is done', async () => {
    const body = slashCommandBody({ text: 'advise' });
    const forged = await h.post(body, undefined, sign(body, 'not-the-secret'));
    const stale = await h.post(body, undefined, sign(body, 'e2e-signing-secret', Math.floor(Date.now() / 1000) - 600));
    const unsigned = await h.post(body, undefined, {});
    const tampered = await h.post(body.replace('advise', 'help'), undefined, sign(body, 'e2e-signing-secret'));
    expect([forged.status, stale.status, unsigned.status, tampered.status]).toEqual([401, 401, 401, 401]);
    const sub = submission(legalAnswers);
    expect((await h.post(sub, undefined, sign(sub, 'wrong'))).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('shows the person’s recommendations on the Home tab, also after a restart', async () => {
    await h.post(submission(legalAnswers));
    await h.slack.waitFor('chat.postMessage');
    await expect.poll(async () => (await sessions())[0]?.delivery?.via).toBe('channel');
    await h.restart();
    const event = eventCallback({
      type: 'app_home_opened',
      user: 'U0ASKER',
      channel: 'D0DM',
      tab: 'home',
      event_ts: '1.1',
    });
    const body = JSON.stringify(event);
    expect((await h.post(body, 'application/json')).status).toBe(200);
    const [publish] = await h.slack.waitFor('views.publish');
    expect(publish?.args.user_id).toBe('U0ASKER');
    expect(checkView(publish?.args.view)).toEqual([]);
    expect(JSON.stringify(publish?.args.view)).toContain('Fine-tune: yes — *Legal document classification*');
  });
});

describe('a views.open that hangs', () => {
  // The give-up is what is tested, not Slack's 3 s: a bot of its own with the trigger's lifetime cut short.
  const DEADLINE_MS = 200;
  const short = new Harness({}, { waits: { triggerDeadlineMs: DEADLINE_MS } });
  beforeAll(() => short.start());
  afterAll(() => short.stop());

  it('stops waiting once the trigger is dead, and says so', async () => {
    short.slack.on('views.open', () => new Promise(() => {}));
    const sent = Date.now();
    await short.post(slashCommandBody({ text: 'advise', responseUrl: `${short.slack.url}/respond/2` }));
    const [reply] = await short.slack.waitFor('response_url/respond/2', 1, 4000);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(DEADLINE_MS);
    expect(reply?.args).toMatchObject({ text: expect.stringContaining('did not let me open the questionnaire') });
  });

  it('keeps the production waits, the trigger’s whole 3 s among them, where a start shortens none', () => {
    // What main() passes: no waits at all.
    expect(startWaits({})).toEqual({
      triggerDeadlineMs: 3_000,
      preflightDeadlineMs: 90_000,
      startRetryMs: 1_000,
      drainMs: 8_000,
    });
    expect(startWaits({ waits: { triggerDeadlineMs: DEADLINE_MS } })).toMatchObject({ startRetryMs: 1_000 });
  });
});
