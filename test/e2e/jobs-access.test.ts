import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentNameFor } from '../../src/jobs/deployment-name.ts';
import {
  JOB_APPROVE_ACTION_ID,
  JOB_CANCEL_ACTION_ID,
  JOB_DELETE_DEPLOYMENT_ACTION_ID,
  JOB_DEPLOY_ACTION_ID,
  JOB_DETAILS_ACTION_ID,
  JOB_REFRESH_ACTION_ID,
  JOB_REJECT_ACTION_ID,
  JOB_TRY_ACTION_ID,
  JOB_TRY_CALLBACK_ID,
} from '../../src/slack/job-ids.ts';
import { deploymentButtonValue } from '../../src/slack/job-thread.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { blockAction, interactionBody, slashCommandBody, viewSubmission } from '../support/slack-request.ts';
import type { Harness } from './harness.ts';
import { type Msg, startJob, useJobHarness, type View, waitForJob } from './job-flow.ts';

/**
 * Who may do what with a job, over HTTP against the real bot: the person who started it, an
 * approver, an admin and a stranger, against every button and command that spends money, changes a
 * job or shows it. A refusal reaches only the person (an ephemeral answer on their response_url)
 * and nothing else happens: no provider call, no change to the job, no message in the channel.
 */

const REQUESTER = 'U0ASKER';
const APPROVER = 'U0BOSS';
const ADMIN = 'U0ADMIN';
const STRANGER = 'U0STRANGER';
const IN_CHARGE = [REQUESTER, APPROVER, ADMIN] as const;
const JOB_CHANNEL = 'C0JOBS'; // where startValues() has jobs report
const ELSEWHERE = 'C0ELSE';

const chargeRefusal = (doing: string) =>
  `Only <@${REQUESTER}> (who started it), an approver or an admin of this bot can ${doing}.`;

/** What the bot has done so far: compared after a refused press, nothing may have been added. */
function mark(h: Harness, openai: FakeOpenAI) {
  return {
    openai: openai.requests.length,
    posts: h.slack.callsTo('chat.postMessage').length,
    edits: h.slack.callsTo('chat.update').length,
    opens: h.slack.callsTo('views.open').length,
    messages: h.slack.messagesIn(JOB_CHANNEL).length,
  };
}

async function expectNothingHappened(
  h: Harness,
  openai: FakeOpenAI,
  before: ReturnType<typeof mark>,
  job: JobRecord,
): Promise<void> {
  expect(openai.requests.slice(before.openai).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  expect(h.slack.callsTo('chat.postMessage').slice(before.posts)).toEqual([]);
  expect(h.slack.callsTo('chat.update').slice(before.edits)).toEqual([]);
  expect(h.slack.callsTo('views.open').slice(before.opens)).toEqual([]);
  expect(h.slack.messagesIn(JOB_CHANNEL)).toHaveLength(before.messages);
  const now = await h.withStore((s) => s.getJob(job.id));
  expect(now?.phase).toBe(job.phase);
  expect(now?.updatedAt).toBe(job.updatedAt);
}

let pressCount = 0;

/** Presses a button as `userId` in `channelId`; resolves to the text of the ephemeral answer, once it came. */
async function press(
  h: Harness,
  o: { actionId: string; value: string; userId: string; channelId?: string },
): Promise<string> {
  const path = `/respond/press-${++pressCount}`;
  const res = await h.post(
    interactionBody(
      blockAction({
        actionId: o.actionId,
        value: o.value,
        userId: o.userId,
        channelId: o.channelId ?? JOB_CHANNEL,
        responseUrl: `${h.slack.url}${path}`,
      }),
    ),
  );
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  const [answer] = await h.slack.waitFor(`response_url${path}`);
  expect(answer?.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  return JSON.stringify(answer?.args);
}

/** Presses a button and does not wait for an answer (an allowed press may not send one). */
async function pressQuietly(
  h: Harness,
  o: { actionId: string; value: string; userId: string; channelId?: string },
): Promise<string> {
  const path = `/respond/press-${++pressCount}`;
  const res = await h.post(
    interactionBody(
      blockAction({
        actionId: o.actionId,
        value: o.value,
        userId: o.userId,
        channelId: o.channelId ?? JOB_CHANNEL,
        responseUrl: `${h.slack.url}${path}`,
      }),
    ),
  );
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  return `response_url${path}`;
}

/** `/finetune status <id>` run by `userId` in `channelId`; resolves to the text of the answer. */
async function status(h: Harness, jobId: string, userId: string, channelId: string): Promise<string> {
  const path = `/respond/status-${++pressCount}`;
  const res = await h.post(
    slashCommandBody({ text: `status ${jobId}`, userId, channelId, responseUrl: `${h.slack.url}${path}` }),
  );
  expect(res.status).toBe(200);
  const [answer] = await h.slack.waitFor(`response_url${path}`);
  return JSON.stringify(answer?.args);
}

/** A Try it prompt submitted as `userId`, naming `jobId` in the view (the bot's view, or a forged one). */
function submitTry(h: Harness, jobId: string, userId: string, prompt: string) {
  return h.post(
    interactionBody(
      viewSubmission({
        callbackId: JOB_TRY_CALLBACK_ID,
        privateMetadata: jobId,
        userId,
        values: { prompt: { value: { type: 'plain_text_input', value: prompt } } },
      }),
    ),
  );
}

// A file uploaded in Slack, so the review has a cost estimate (under MAX_JOB_USD: no approval).
async function runningJob(h: Harness, openai: FakeOpenAI): Promise<JobRecord> {
  const { job } = await startJob(h);
  expect(job.phase).not.toBe('awaiting_approval');
  openai.advance(job.providerJobId as string, { status: 'running' }, [FakeOpenAI.metrics(1, 100, 2.5)]);
  h.advance(31_000);
  await h.bot?.monitor.tick();
  const running = await h.withStore((s) => s.getJob(job.id));
  expect(running?.phase).toBe('running');
  return running as JobRecord;
}

async function succeededJob(h: Harness, openai: FakeOpenAI, model: string): Promise<JobRecord> {
  const { job } = await startJob(h);
  expect(job.phase).not.toBe('awaiting_approval');
  openai.advance(job.providerJobId as string, {
    status: 'succeeded',
    fine_tuned_model: model,
    trained_tokens: 1000,
    finished_at: Math.floor(h.clock.getTime() / 1000),
  });
  h.advance(31_000);
  await h.bot?.monitor.tick();
  const done = await h.withStore((s) => s.getJob(job.id));
  expect(done).toMatchObject({ phase: 'succeeded', fineTunedModel: model });
  return done as JobRecord;
}

const readsOf = (openai: FakeOpenAI, from: number, providerJobId: string) =>
  openai.requests
    .slice(from)
    .filter(
      (r) =>
        r.method === 'GET' &&
        (r.path === `/fine_tuning/jobs/${providerJobId}` ||
          r.path === `/fine_tuning/jobs/${providerJobId}/events` ||
          r.path === '/fine_tuning/jobs'),
    );

describe('who may act on a job', () => {
  const { h, openai } = useJobHarness({
    APPROVER_USER_IDS: APPROVER,
    ADMIN_USER_IDS: ADMIN,
    // High enough that no job here waits for approval.
    MAX_JOB_USD: '100000',
  });

  it('Cancel: a stranger is refused and nothing is cancelled; the requester, an approver and an admin each cancel', async () => {
    const job = await runningJob(h, openai);
    h.slack.reset();
    const before = mark(h, openai);
    const answer = await press(h, { actionId: JOB_CANCEL_ACTION_ID, value: job.id, userId: STRANGER });
    expect(answer).toContain(chargeRefusal('cancel this job'));
    await expectNothingHappened(h, openai, before, job);
    expect(openai.jobs.get(job.providerJobId as string)?.status).toBe('running');

    for (const who of IN_CHARGE) {
      const mine = await runningJob(h, openai);
      h.slack.reset();
      const from = openai.requests.length;
      await pressQuietly(h, { actionId: JOB_CANCEL_ACTION_ID, value: mine.id, userId: who });
      await waitForJob(h, (j) => j.id === mine.id && j.phase === 'cancelled');
      expect(
        openai.requests.slice(from).filter((r) => r.path === `/fine_tuning/jobs/${mine.providerJobId}/cancel`),
      ).toHaveLength(1);
      expect(openai.jobs.get(mine.providerJobId as string)?.status).toBe('cancelled');
      const [edit] = await h.slack.waitFor('chat.update');
      expect(edit?.args).toMatchObject({ channel: JOB_CHANNEL, ts: mine.messageTs });
      expect(JSON.stringify(edit?.args)).toContain(`*Cancelled* by <@${who}>`);
    }
    // The stranger's job was never touched.
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('running');
  });

  it('Refresh: a stranger outside the job’s channel is refused; those in charge (anywhere) and its channel get it polled', async () => {
    const job = await runningJob(h, openai);
    h.slack.reset();
    const before = mark(h, openai);
    const answer = await press(h, {
      actionId: JOB_REFRESH_ACTION_ID,
      value: job.id,
      userId: STRANGER,
      channelId: ELSEWHERE,
    });
    expect(answer).toContain(`Job ${job.id} reports in another channel`);
    await expectNothingHappened(h, openai, before, job);

    const allowed: Array<[string, string]> = [
      [REQUESTER, ELSEWHERE],
      [APPROVER, ELSEWHERE],
      [ADMIN, ELSEWHERE],
      // Everyone in the job's channel sees its message anyway; refreshing it there is theirs too.
      [STRANGER, JOB_CHANNEL],
    ];
    let step = 1;
    for (const [who, where] of allowed) {
      step++;
      openai.advance(job.providerJobId as string, {}, [FakeOpenAI.metrics(step, 100, 2.5 - step / 100)]);
      const from = openai.requests.length;
      const edits = h.slack.callsTo('chat.update').length;
      const responded = await pressQuietly(h, {
        actionId: JOB_REFRESH_ACTION_ID,
        value: job.id,
        userId: who,
        channelId: where,
      });
      await waitForJob(h, (j) => j.id === job.id && j.progress.step === step);
      expect(readsOf(openai, from, job.providerJobId as string).length).toBeGreaterThan(0);
      // The message shows the news at once: the person pressed for it (no clock moved on).
      const [edit] = (await h.slack.waitFor('chat.update', edits + 1)).slice(edits);
      expect(edit?.args).toMatchObject({ channel: JOB_CHANNEL, ts: job.messageTs });
      expect(JSON.stringify(edit?.args)).toContain(`step ${step} of 100`);
      expect(h.slack.callsTo(responded)).toEqual([]); // no refusal
    }
  });

  it('Details: a stranger outside the job’s channel is refused; those in charge see the job from anywhere', async () => {
    const job = await runningJob(h, openai);
    h.slack.reset();
    const before = mark(h, openai);
    const refused = await press(h, {
      actionId: JOB_DETAILS_ACTION_ID,
      value: job.id,
      userId: STRANGER,
      channelId: ELSEWHERE,
    });
    expect(refused).toContain(`Job ${job.id} reports in another channel`);
    expect(refused).not.toContain('Fine-tune');
    await expectNothingHappened(h, openai, before, job);

    for (const who of IN_CHARGE) {
      const shown = await press(h, {
        actionId: JOB_DETAILS_ACTION_ID,
        value: job.id,
        userId: who,
        channelId: ELSEWHERE,
      });
      expect(shown).toContain(job.id);
      expect(shown).not.toContain('reports in another channel');
    }
    expect(await press(h, { actionId: JOB_DETAILS_ACTION_ID, value: job.id, userId: STRANGER })).toContain(job.id);
    expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('/finetune status from another channel: refused for a stranger, shown to those in charge', async () => {
    const job = await runningJob(h, openai);
    h.slack.reset();
    const before = mark(h, openai);
    const refused = await status(h, job.id, STRANGER, ELSEWHERE);
    expect(refused).toContain(`Job ${job.id} reports in another channel`);
    await expectNothingHappened(h, openai, before, job);
    for (const who of IN_CHARGE) {
      const shown = await status(h, job.id, who, ELSEWHERE);
      expect(shown).toContain(job.id);
      expect(shown).not.toContain('reports in another channel');
    }
  });

  describe('on a finished job', () => {
    let done: JobRecord;
    beforeAll(async () => {
      h.slack.reset();
      done = await succeededJob(h, openai, 'ft:gpt-4.1-mini-2025-04-14:acme::access1');
    });

    it('Try it (the button): a stranger is refused and no form opens; those in charge get the form', async () => {
      h.slack.reset();
      const before = mark(h, openai);
      const answer = await press(h, { actionId: JOB_TRY_ACTION_ID, value: done.id, userId: STRANGER });
      expect(answer).toContain(chargeRefusal('try this model'));
      await expectNothingHappened(h, openai, before, done);

      for (const who of IN_CHARGE) {
        const opens = h.slack.callsTo('views.open').length;
        await pressQuietly(h, { actionId: JOB_TRY_ACTION_ID, value: done.id, userId: who });
        const [open] = (await h.slack.waitFor('views.open', opens + 1)).slice(opens);
        const view = open?.args.view as View;
        expect(view.callback_id).toBe(JOB_TRY_CALLBACK_ID);
        expect(view.private_metadata).toBe(done.id);
      }
    });

    it('Try it (the prompt): a stranger’s forged submission gets no completion; those in charge get an answer in the thread', async () => {
      h.slack.reset();
      const before = mark(h, openai);
      const res = await submitTry(h, done.id, STRANGER, 'Tell me a secret');
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(3000);
      // There is no response_url on a modal: the refusal comes to the stranger alone, by DM.
      const [dm] = await h.slack.waitFor('chat.postMessage');
      expect(dm?.args).toMatchObject({ channel: STRANGER });
      expect(String(dm?.args.text)).toContain(chargeRefusal('try this model'));
      expect(openai.requests.slice(before.openai)).toEqual([]);
      expect(h.slack.messagesIn(JOB_CHANNEL)).toHaveLength(before.messages);
      expect(h.slack.callsTo('chat.postMessage')).toHaveLength(1);

      openai.completion = 'Billing.';
      for (const who of IN_CHARGE) {
        const posts = h.slack.callsTo('chat.postMessage').length;
        const from = openai.requests.length;
        await submitTry(h, done.id, who, `Where does ticket ${who} go?`);
        const [answer] = (await h.slack.waitFor('chat.postMessage', posts + 1)).slice(posts);
        const msg = answer?.args as unknown as Msg;
        expect(msg).toMatchObject({ channel: JOB_CHANNEL, thread_ts: done.messageTs });
        expect(JSON.stringify(msg)).toContain('Billing.');
        expect(JSON.stringify(msg)).toContain(who);
        const calls = openai.requests.slice(from).filter((r) => r.path === '/chat/completions');
        expect(calls).toHaveLength(1);
        expect(calls[0]?.body).toMatchObject({ model: 'ft:gpt-4.1-mini-2025-04-14:acme::access1' });
      }
    });

    it('Deploy: a stranger is refused before anything else; those in charge hear it is for Azure jobs only', async () => {
      h.slack.reset();
      const before = mark(h, openai);
      const answer = await press(h, { actionId: JOB_DEPLOY_ACTION_ID, value: done.id, userId: STRANGER });
      expect(answer).toContain(chargeRefusal('deploy this model'));
      expect(answer).not.toContain('Azure');
      await expectNothingHappened(h, openai, before, done);

      for (const who of IN_CHARGE) {
        const mine = mark(h, openai);
        const told = await press(h, { actionId: JOB_DEPLOY_ACTION_ID, value: done.id, userId: who });
        expect(told).toContain('Only a finished Azure OpenAI job can be deployed from here.');
        await expectNothingHappened(h, openai, mine, done);
      }
    });

    it('Delete deployment: a stranger is refused before anything else; an OpenAI job has none to delete', async () => {
      h.slack.reset();
      const value = deploymentButtonValue(done.id, deploymentNameFor(done.id));
      const before = mark(h, openai);
      const answer = await press(h, { actionId: JOB_DELETE_DEPLOYMENT_ACTION_ID, value, userId: STRANGER });
      expect(answer).toContain(chargeRefusal('delete this deployment'));
      await expectNothingHappened(h, openai, before, done);

      for (const who of IN_CHARGE) {
        const mine = mark(h, openai);
        const told = await press(h, { actionId: JOB_DELETE_DEPLOYMENT_ACTION_ID, value, userId: who });
        // An OpenAI job has no deployment: nothing to delete, and no Azure settings to ask for.
        expect(told).toContain('I no longer know that deployment.');
        await expectNothingHappened(h, openai, mine, done);
      }
    });
  });

  it('Refresh reads only the pressed job: no events of another running job are read', async () => {
    const a = await runningJob(h, openai);
    const b = await runningJob(h, openai);
    // A full tick that reads both jobs' news, so both are up to date and due again.
    openai.advance(a.providerJobId as string, {}, [FakeOpenAI.metrics(2, 100, 2.4)]);
    openai.advance(b.providerJobId as string, {}, [FakeOpenAI.metrics(2, 100, 2.4)]);
    h.advance(31_000);
    await h.bot?.monitor.tick();
    // News on both; only A's Refresh is pressed.
    openai.advance(a.providerJobId as string, {}, [FakeOpenAI.metrics(3, 100, 2.3)]);
    openai.advance(b.providerJobId as string, {}, [FakeOpenAI.metrics(3, 100, 2.3)]);
    h.slack.reset();
    const from = openai.requests.length;
    const responded = await pressQuietly(h, { actionId: JOB_REFRESH_ACTION_ID, value: a.id, userId: REQUESTER });
    // (waitForJob reads the channel's newest job, b: A is read by id.)
    await expect.poll(async () => (await h.withStore((s) => s.getJob(a.id)))?.progress.step).toBe(3);
    const after = openai.requests.slice(from).map((r) => `${r.method} ${r.path}`);
    expect(after).toContain(`GET /fine_tuning/jobs/${a.providerJobId}/events`);
    expect(after.filter((r) => r.includes(b.providerJobId as string))).toEqual([]);
    expect((await h.withStore((s) => s.getJob(b.id)))?.progress.step).toBe(2);
    expect(h.slack.callsTo(responded)).toEqual([]);
  });
});

describe('who may decide on a job waiting for approval', () => {
  const SECOND_APPROVER = 'U0BOSS2';
  const { h, openai } = useJobHarness({
    APPROVER_USER_IDS: `${APPROVER},${SECOND_APPROVER}`,
    ADMIN_USER_IDS: ADMIN,
    MAX_JOB_USD: '0.01', // every job here waits for an approver
  });
  const askedBoth = () =>
    expect
      .poll(() => h.slack.messages.filter((m) => m.metadata?.event_payload.notice?.toString().startsWith('approval:')))
      .toHaveLength(2);

  it('Approve and Reject: the requester, an admin and a stranger are refused; an approver decides', async () => {
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    expect(job.phase).toBe('awaiting_approval');
    await askedBoth();
    h.slack.reset();
    for (const actionId of [JOB_APPROVE_ACTION_ID, JOB_REJECT_ACTION_ID]) {
      for (const who of [REQUESTER, ADMIN, STRANGER]) {
        const before = mark(h, openai);
        const answer = await press(h, { actionId, value: job.id, userId: who, channelId: `D${who}` });
        expect(answer).toContain('Only the approvers named in APPROVER_USER_IDS can decide on this job.');
        await expectNothingHappened(h, openai, before, job);
        expect((await h.withStore((s) => s.getJob(job.id)))?.approval).toBeNull();
      }
    }

    await pressQuietly(h, { actionId: JOB_REJECT_ACTION_ID, value: job.id, userId: APPROVER, channelId: 'DU0BOSS' });
    const rejected = await waitForJob(h, (j) => j.id === job.id && j.phase === 'rejected');
    expect(rejected.approval).toMatchObject({ decision: 'rejected', by: APPROVER });
    expect(openai.requestsTo('POST', /^\/fine_tuning\/jobs$/)).toHaveLength(0);

    const second = (await startJob(h, { fileId: 'file-abc123' })).job;
    await askedBoth();
    await pressQuietly(h, {
      actionId: JOB_APPROVE_ACTION_ID,
      value: second.id,
      userId: APPROVER,
      channelId: 'DU0BOSS',
    });
    const approved = await waitForJob(h, (j) => j.id === second.id && j.providerJobId !== null);
    expect(approved.approval).toMatchObject({ decision: 'approved', by: APPROVER });
    expect(openai.requestsTo('POST', /^\/fine_tuning\/jobs$/)).toHaveLength(1);
  });

  it('an approval pressed while the other approver is still being asked starts the job at once', async () => {
    // Slack is slow to take the second approver's DM; the first approver has theirs and approves.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let ts = 1_800_000_000;
    h.slack.on('chat.postMessage', async (args) => {
      if (args.channel === SECOND_APPROVER) await held;
      return { ok: true, channel: args.channel, ts: `${++ts}.000100`, message: {} };
    });
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    await expect
      .poll(() => h.slack.messages.some((m) => m.metadata?.event_payload.notice === `approval:${APPROVER}`))
      .toBe(true);
    const jobs = openai.requestsTo('POST', /^\/fine_tuning\/jobs$/).length;
    await pressQuietly(h, { actionId: JOB_APPROVE_ACTION_ID, value: job.id, userId: APPROVER, channelId: 'DU0BOSS' });
    await waitForJob(h, (j) => j.id === job.id && j.approval !== null);
    // The approver's DM is edited to say it was approved; then their press tries to start the job.
    // The pause only lets that try happen before the held DM goes out (what makes it fail without
    // the fix); the outcome asserted below must not depend on it.
    await h.slack.waitFor('chat.update');
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.withStore((s) => s.getJob(job.id)))?.providerJobId).toBeNull();
    release();
    // No tick, no clock moved on: the approval alone starts it.
    const started = await waitForJob(h, (j) => j.id === job.id && j.providerJobId !== null);
    expect(started.phase).toBe('validating');
    expect(openai.requestsTo('POST', /^\/fine_tuning\/jobs$/)).toHaveLength(jobs + 1);
  });
});

describe('ALLOWED_USER_IDS', () => {
  const { h, openai } = useJobHarness({
    ALLOWED_USER_IDS: `${REQUESTER},${STRANGER}`,
    APPROVER_USER_IDS: APPROVER,
  });

  it('being allowed to start jobs is not being allowed to cancel someone else’s', async () => {
    const job = await runningJob(h, openai);
    h.slack.reset();
    const before = mark(h, openai);
    const answer = await press(h, { actionId: JOB_CANCEL_ACTION_ID, value: job.id, userId: STRANGER });
    expect(answer).toContain(chargeRefusal('cancel this job'));
    await expectNothingHappened(h, openai, before, job);
    expect(openai.jobs.get(job.providerJobId as string)?.status).toBe('running');
  });
});
