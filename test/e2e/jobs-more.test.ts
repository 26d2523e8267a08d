import { describe, expect, it } from 'vitest';
import { JOB_APPROVE_ACTION_ID, JOB_TRY_ACTION_ID, JOB_TRY_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { checkView } from '../support/slack-limits.ts';
import {
  blockAction,
  eventCallback,
  interactionBody,
  slashCommandBody,
  viewSubmission,
} from '../support/slack-request.ts';
import { type Msg, replies, startJob, useJobHarness, type View, waitForJob } from './job-flow.ts';

const { h, openai } = useJobHarness({
  STALL_MINUTES: '20',
  MAX_JOB_USD: '0.01',
  APPROVER_USER_IDS: 'U0BOSS',
});

describe('a job over MAX_JOB_USD', () => {
  it('waits for an approver, who is asked by DM; an approval starts it and only an approver can decide', async () => {
    const { job, review } = await startJob(h);
    expect(JSON.stringify(review)).toContain('Ask for approval');
    expect(job.phase).toBe('awaiting_approval');
    const ask = (await h.slack.waitFor('chat.postMessage', 2)).map((c) => c.args as unknown as Msg);
    expect(ask.find((m) => m.channel === 'U0BOSS')?.text).toMatch(/asks you to approve/);
    expect(openai.requestsTo('POST', /^\/fine_tuning\/jobs$/)).toHaveLength(0);

    // Not an approver: refused, nothing changes.
    const responseUrl = `${h.slack.url}/actions/not-approver`;
    await h.post(
      interactionBody(blockAction({ actionId: JOB_APPROVE_ACTION_ID, value: job.id, userId: 'U0ASKER', responseUrl })),
    );
    const [refusal] = await h.slack.waitFor('response_url/actions/not-approver');
    expect(JSON.stringify(refusal?.args)).toContain('Only the approvers named in APPROVER_USER_IDS');
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('awaiting_approval');

    await h.post(interactionBody(blockAction({ actionId: JOB_APPROVE_ACTION_ID, value: job.id, userId: 'U0BOSS' })));
    const started = await waitForJob(h, (j) => j.providerJobId !== null);
    expect(started).toMatchObject({
      id: job.id,
      phase: 'validating',
      approval: { decision: 'approved', by: 'U0BOSS' },
    });
    expect(openai.files.size).toBeGreaterThan(0); // the file uploaded in Slack was read again and uploaded
  });
});

describe('a running job', () => {
  it('warns once in its thread when the provider has been quiet for STALL_MINUTES', async () => {
    const started = await startJobApproved();
    openai.advance(started.providerJobId as string, { status: 'running' }, [FakeOpenAI.metrics(1, 50, 2)]);
    h.advance(31_000);
    await h.bot?.monitor.tick();
    h.slack.reset();
    for (let i = 0; i < 3; i++) {
      h.advance(10 * 60_000);
      await h.bot?.monitor.tick();
    }
    const stalls = replies(h).filter((r) => /No news from OpenAI/.test(r.text));
    expect(stalls).toHaveLength(1);
  });

  it('answers /finetune jobs and /finetune status for the person who asks', async () => {
    h.slack.reset();
    const url = (n: number) => `${h.slack.url}/respond/jobs-${n}`;
    await h.post(slashCommandBody({ text: 'jobs', channelId: 'C0JOBS', responseUrl: url(1) }));
    const [listed] = await h.slack.waitFor('response_url/respond/jobs-1');
    expect(JSON.stringify(listed?.args)).toMatch(/Recent fine-tunes/);
    const [job] = await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 1 }));
    h.slack.reset();
    await h.post(slashCommandBody({ text: `status ${job?.id}`, responseUrl: url(2) }));
    const [status] = await h.slack.waitFor('response_url/respond/jobs-2');
    expect(JSON.stringify(status?.args)).toContain(job?.id ?? 'none');
    h.slack.reset();
    await h.post(
      slashCommandBody({ text: `status ${job?.id}`, userId: 'U0OTHER', channelId: 'C0ELSE', responseUrl: url(4) }),
    );
    const [elsewhere] = await h.slack.waitFor('response_url/respond/jobs-4');
    expect(JSON.stringify(elsewhere?.args)).toContain('reports in another channel');
    h.slack.reset();
    await h.post(slashCommandBody({ text: 'status ft-nope22', responseUrl: url(3) }));
    const [none] = await h.slack.waitFor('response_url/respond/jobs-3');
    expect(JSON.stringify(none?.args)).toMatch(/ft-nope22/);
  });
});

describe('Try it', () => {
  it('asks the tuned model and posts the answer in the job’s thread', async () => {
    const started = await startJobApproved();
    openai.advance(started.providerJobId as string, {
      status: 'succeeded',
      fine_tuned_model: 'ft:gpt-4.1-mini-2025-04-14:acme::try1',
      trained_tokens: 1000,
      finished_at: Math.floor(h.clock.getTime() / 1000),
    });
    h.advance(31_000);
    await h.bot?.monitor.tick();
    h.slack.reset();
    await h.post(interactionBody(blockAction({ actionId: JOB_TRY_ACTION_ID, value: started.id })));
    const [open] = await h.slack.waitFor('views.open');
    const view = open?.args.view as View;
    expect(view.callback_id).toBe(JOB_TRY_CALLBACK_ID);
    openai.completion = 'Billing.';
    await h.post(
      interactionBody(
        viewSubmission({
          callbackId: JOB_TRY_CALLBACK_ID,
          privateMetadata: view.private_metadata,
          values: { prompt: { value: { type: 'plain_text_input', value: 'My invoice is wrong' } } },
        }),
      ),
    );
    const answer = (await h.slack.waitFor('chat.postMessage')).map((c) => c.args as unknown as Msg)[0];
    expect(answer?.thread_ts).toBe(started.messageTs);
    expect(JSON.stringify(answer)).toContain('Billing.');
    const [call] = openai.requestsTo('POST', /^\/chat\/completions$/);
    expect(call?.body).toMatchObject({ model: 'ft:gpt-4.1-mini-2025-04-14:acme::try1' });

    // A model that answers nothing: the thread says so, rather than quoting an empty answer.
    h.slack.reset();
    openai.completion = '';
    await h.post(
      interactionBody(
        viewSubmission({
          callbackId: JOB_TRY_CALLBACK_ID,
          privateMetadata: view.private_metadata,
          viewId: 'V0TRYAGAIN',
          values: { prompt: { value: { type: 'plain_text_input', value: 'And now?' } } },
        }),
      ),
    );
    const empty = (await h.slack.waitFor('chat.postMessage')).map((c) => c.args as unknown as Msg)[0];
    expect(empty?.thread_ts).toBe(started.messageTs);
    expect(JSON.stringify(empty?.blocks)).toContain('The model did not answer.');
    openai.completion = 'A tuned answer.';
  });
});

describe('the Home tab', () => {
  it('shows the team’s active and recent jobs and this month’s spend', async () => {
    const [newest] = await h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 1 }));
    h.slack.reset();
    const event = eventCallback({
      type: 'app_home_opened',
      user: 'U0ASKER',
      channel: 'D0DM',
      tab: 'home',
      event_ts: '1.1',
    });
    expect((await h.post(JSON.stringify(event), 'application/json')).status).toBe(200);
    const [publish] = await h.slack.waitFor('views.publish');
    const view = JSON.stringify(publish?.args.view);
    expect(checkView(publish?.args.view as never)).toEqual([]);
    expect(view).toContain('Active jobs');
    expect(view).toContain('Recent jobs');
    expect(view).toContain(newest?.id ?? 'none');
    // Each job links to its message, in the workspace auth.test named.
    if (newest?.messageTs) {
      expect(view).toContain(
        `https://acme.slack.com/archives/${newest.channelId}/p${newest.messageTs.replace('.', '')}`,
      );
    }
    expect(view).toMatch(/Spend this month.*\$\d/);
  });
});

/** Starts a job through the form and has it approved. */
async function startJobApproved() {
  const { job } = await startJob(h);
  await h.post(interactionBody(blockAction({ actionId: JOB_APPROVE_ACTION_ID, value: job.id, userId: 'U0BOSS' })));
  return waitForJob(h, (j) => j.id === job.id && j.providerJobId !== null);
}
