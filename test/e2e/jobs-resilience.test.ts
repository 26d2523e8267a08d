import { describe, expect, it } from 'vitest';
import { JOB_CANCEL_ACTION_ID } from '../../src/slack/job-ids.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { blockAction, interactionBody } from '../support/slack-request.ts';
import { type Msg, replies, startJob, updates, useJobHarness, waitForJob } from './job-flow.ts';

const { h, openai } = useJobHarness();

const postsTo = (channel: string) =>
  h.slack
    .callsTo('chat.postMessage')
    .map((c) => c.args as unknown as Msg)
    .filter((m) => m.channel === channel);

/** Slack answers the next `times` thread replies with an error, then as usual. */
function failThreadReplies(times: number, error = 'internal_error') {
  let left = times;
  let ts = 1_800_000_000;
  h.slack.on('chat.postMessage', (args) => {
    if (args.thread_ts && left > 0) {
      left--;
      return { ok: false, error };
    }
    return { ok: true, channel: args.channel, ts: `${++ts}.000200`, message: {} };
  });
}

describe('when Slack fails, nothing is lost and nothing is said twice', () => {
  it('posts a status change on the next tick when its first post failed', async () => {
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    openai.advance(job.providerJobId as string, { status: 'running' }, [FakeOpenAI.metrics(1, 10, 2)]);
    failThreadReplies(1);
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(replies(h).filter((r) => /Running/.test(r.text))).toHaveLength(1); // the failed attempt
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('validating'); // not recorded yet
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(replies(h).filter((r) => /Running/.test(r.text))).toHaveLength(2); // the retry went out
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('running');
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(replies(h).filter((r) => /Running/.test(r.text))).toHaveLength(2);
  });

  it('posts the summary once even when the loss curve cannot be uploaded', async () => {
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    const id = job.providerJobId as string;
    openai.advance(
      id,
      {
        status: 'succeeded',
        fine_tuned_model: 'ft:gpt-4.1-mini-2025-04-14:acme::c1',
        trained_tokens: 100,
        finished_at: Math.floor(h.clock.getTime() / 1000),
      },
      [FakeOpenAI.metrics(1, 2, 2), FakeOpenAI.metrics(2, 2, 1)],
    );
    h.slack.on('files.getUploadURLExternal', () => ({ ok: false, error: 'internal_error' }));
    h.advance(31_000);
    await h.bot?.monitor.tick();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(replies(h).filter((r) => /is ready/.test(r.text))).toHaveLength(1);
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('succeeded');
  });

  it('ends a job whose channel refuses the bot as failed, and tells the requester by DM', async () => {
    h.slack.on('chat.postMessage', (args) =>
      args.channel === 'C0JOBS'
        ? { ok: false, error: 'not_in_channel' }
        : { ok: true, channel: args.channel, ts: '1.2' },
    );
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    expect(job).toMatchObject({ phase: 'failed', providerJobId: null, error: { code: 'channel' } });
    const [dm] = postsTo('U0ASKER');
    expect(dm?.text).toMatch(/cannot post in the channel you chose/);
    expect(
      openai
        .requestsTo('POST', /^\/fine_tuning\/jobs$/)
        .filter((r) => (r.body as { metadata?: { ftbot_job_id?: string } }).metadata?.ftbot_job_id === job.id),
    ).toHaveLength(0);
  });
});

describe('races and disappearances', () => {
  it.each([
    ['its file was uploading', '/files', false],
    ['the provider was creating it', '/fine_tuning/jobs', true],
  ])('does not leave a provider job training when it was cancelled while %s', async (_when, path, created) => {
    const held = openai.requestsTo('POST', new RegExp(`^${path}$`)).length;
    openai.delay((r) => r.method === 'POST' && r.path === path, 800);
    const started = startJob(h).catch(() => undefined);
    const job = await waitForJob(h, (j) => j.phase === 'starting' && j.messageTs !== null);
    // Press Cancel while the held request is in flight.
    for (let i = 0; i < 200 && openai.requestsTo('POST', new RegExp(`^${path}$`)).length <= held; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await h.post(interactionBody(blockAction({ actionId: JOB_CANCEL_ACTION_ID, value: job.id, channelId: 'C0JOBS' })));
    await waitForJob(h, (j) => j.id === job.id && j.phase === 'cancelled');
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the held request comes back meanwhile
    await started;
    const onProvider = [...openai.jobs.values()].filter((j) => j.metadata?.ftbot_job_id === job.id);
    if (created) {
      expect(onProvider.map((j) => j.status)).toEqual(['cancelled']);
      expect((await h.withStore((s) => s.getJob(job.id)))?.providerJobId).toBe(onProvider[0]?.id);
    } else {
      expect(onProvider).toEqual([]);
    }
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('cancelled');
  });

  it('ends a job the provider no longer knows, after asking for it by id', async () => {
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    openai.deleteJob(job.providerJobId as string);
    for (let i = 0; i < 3; i++) {
      h.advance(31_000);
      await h.bot?.monitor.tick();
    }
    const ended = await h.withStore((s) => s.getJob(job.id));
    expect(ended).toMatchObject({ phase: 'failed', error: { code: 'not_found' } });
    expect(
      replies(h)
        .map((r) => r.text)
        .join('\n'),
    ).toMatch(/no longer knows this job/);
    expect(updates(h).length).toBeGreaterThan(0);
  });
});
