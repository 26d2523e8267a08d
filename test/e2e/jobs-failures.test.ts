import { describe, expect, it } from 'vitest';
import { JOB_CANCEL_ACTION_ID } from '../../src/slack/job-ids.ts';
import { START_JOB_ACTION_ID } from '../../src/slack/recommendation-message.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { blockAction, interactionBody } from '../support/slack-request.ts';
import { adviceSubmission } from './harness.ts';
import { replies, startJob, updates, useJobHarness, waitForJob } from './job-flow.ts';

const { h, openai } = useJobHarness();

const createJob = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/fine_tuning/jobs';
const creates = () => openai.requestsTo('POST', /^\/fine_tuning\/jobs$/).length;
const allSlackText = () => JSON.stringify(h.slack.callsTo('chat.postMessage').concat(h.slack.callsTo('chat.update')));

describe('starting a job when the provider says no', () => {
  it.each([
    [
      '403 on create: OpenAI’s wind-down',
      {
        status: 403,
        body: {
          error: {
            message: 'You are not allowed to create fine-tuning jobs.',
            type: 'invalid_request_error',
            code: null,
            param: null,
          },
        },
      },
      /winding down self-serve fine-tuning/,
    ],
    [
      '401: a key OpenAI refuses',
      {
        status: 401,
        body: {
          error: {
            message: 'Incorrect API key provided: sk-e2e-secret.',
            type: 'invalid_request_error',
            code: 'invalid_api_key',
            param: null,
          },
        },
      },
      /OPENAI_API_KEY/,
    ],
    [
      '429 daily limit, tried once',
      {
        status: 429,
        body: {
          error: {
            message: 'Daily rate limit exceeded for fine-tuning requests.',
            type: 'requests',
            code: 'daily_rate_limit_exceeded',
            param: null,
          },
        },
      },
      /daily/i,
    ],
    [
      'an unknown training file id',
      {
        status: 400,
        body: {
          error: {
            message: 'invalid training_file: file-nope',
            type: 'invalid_request_error',
            code: 'invalid_file',
            param: 'training_file',
          },
        },
      },
      /file-nope|training file/i,
    ],
    [
      '500s that outlast the retries',
      {
        status: 500,
        body: { error: { message: 'The server had an error.', type: 'server_error', code: null, param: null } },
      },
      /trouble|unavailable|try again/i,
      3,
    ],
  ])('%s: the job ends as failed with the reason in plain words, once', async (_name, reply, words, attempts = 1) => {
    const before = creates();
    const lookups = openai.requestsTo('GET', /^\/fine_tuning\/jobs$/).length;
    openai.fail(createJob, reply, attempts);
    const { job } = await startJob(h, { fileId: 'file-nope' });
    const failed = await waitForJob(h, (j) => j.phase === 'failed');
    await h.slack.waitFor('chat.postMessage', 2); // the job's message, then the reason in its thread
    expect(failed.id).toBe(job.id);
    expect(failed.providerJobId).toBeNull();
    expect(failed.error?.message ?? '').not.toBe('');
    expect(`${failed.error?.message} ${failed.error?.hint}`).toMatch(words);
    expect(allSlackText()).toMatch(words);
    expect(allSlackText()).not.toContain('sk-e2e-secret');
    // Only an unconfirmed create (5xx) is asked again, and each time after looking for a job that
    // carries our id, so a retry cannot start it twice; refusals are final at once.
    expect(creates() - before).toBe(attempts);
    expect(openai.requestsTo('GET', /^\/fine_tuning\/jobs$/).length - lookups).toBe(attempts);
    h.slack.reset();
    h.advance(60_000);
    await h.bot?.monitor.tick();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('a job that ends badly', () => {
  it('announces a failed job once, with the provider’s error and a hint', async () => {
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    openai.advance(job.providerJobId as string, {
      status: 'failed',
      finished_at: Math.floor(h.clock.getTime() / 1000),
      error: {
        code: 'invalid_training_file',
        message: 'The training file has 3 invalid lines.',
        param: 'training_file',
      },
    });
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(
      replies(h)
        .map((r) => r.text)
        .join('\n'),
    ).toContain('The training file has 3 invalid lines.');
    expect(updates(h)).toHaveLength(1);
    expect(await h.withStore((s) => s.getJob(job.id))).toMatchObject({ phase: 'failed', actualUsd: 0 });
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('cancels from the Cancel button: the provider is told, the message says so, the monitor leaves it be', async () => {
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    h.slack.reset();
    await h.post(interactionBody(blockAction({ actionId: JOB_CANCEL_ACTION_ID, value: job.id, channelId: 'C0JOBS' })));
    await waitForJob(h, (j) => j.phase === 'cancelled');
    expect(openai.requestsTo('POST', new RegExp(`/fine_tuning/jobs/${job.providerJobId}/cancel$`))).toHaveLength(1);
    const [edit] = await h.slack.waitFor('chat.update');
    expect(JSON.stringify(edit?.args)).toMatch(/cancel/i);
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
  });
});

describe('restart safety', () => {
  it('resumes from the store after a restart and announces a job that finished meanwhile exactly once', async () => {
    const { job } = await startJob(h, { fileId: 'file-abc123' });
    const id = job.providerJobId as string;
    openai.advance(id, { status: 'running' }, [FakeOpenAI.metrics(1, 10, 2)]);
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect((await h.withStore((s) => s.getJob(job.id)))?.phase).toBe('running');

    // Down: the job finishes meanwhile.
    await h.bot?.stop();
    openai.advance(
      id,
      {
        status: 'succeeded',
        fine_tuned_model: 'ft:gpt-4.1-mini-2025-04-14:acme::r1',
        trained_tokens: 5000,
        finished_at: Math.floor(h.clock.getTime() / 1000),
      },
      [FakeOpenAI.metrics(10, 10, 0.7), { message: 'The job has successfully completed' }],
    );
    await h.start();
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const summaries = replies(h).filter((r) => /is ready/.test(r.text));
    expect(summaries).toHaveLength(1);
    expect(replies(h).filter((r) => /Running/.test(r.text))).toHaveLength(0); // said before the restart
    expect(await h.withStore((s) => s.getJob(job.id))).toMatchObject({
      phase: 'succeeded',
      fineTunedModel: 'ft:gpt-4.1-mini-2025-04-14:acme::r1',
    });

    await h.restart();
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('Start a job on a recommendation', () => {
  it('opens the job form pre-filled with the suggested provider and model', async () => {
    await h.post(adviceSubmission());
    const [posted] = await h.slack.waitFor('chat.postMessage');
    const blocks = JSON.stringify(posted?.args.blocks);
    const sessionId = /"action_id":"estimate_cost","text":\{[^}]*\},"value":"([^"]+)"/.exec(blocks)?.[1];
    expect(blocks).toContain(START_JOB_ACTION_ID);
    h.slack.reset();
    await h.post(interactionBody(blockAction({ actionId: START_JOB_ACTION_ID, value: sessionId ?? '' })));
    const [open] = await h.slack.waitFor('views.open');
    const view = open?.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('job_start');
    expect(JSON.parse(view.private_metadata)).toMatchObject({ advice: sessionId });
    expect(JSON.stringify(view)).toMatch(/"initial_option":\{"text":\{"type":"plain_text","text":"GPT-4\.1[^"]*"/);
  });
});
