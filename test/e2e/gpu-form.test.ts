import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  JOB_CANCEL_ACTION_ID,
  JOB_PROVIDER_ACTION_ID,
  JOB_REVIEW_CALLBACK_ID,
  JOB_START_CALLBACK_ID,
  JOB_TRY_ACTION_ID,
} from '../../src/slack/job-ids.ts';
import { LORA_NUMBER_FIELDS } from '../../src/slack/lora-settings.ts';
import { START_JOB_ACTION_ID } from '../../src/slack/recommendation-message.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { eventually, groupMembers } from '../providers/gpu/helpers.ts';
import { PYTHON } from '../providers/gpu/provider-helpers.ts';
import { FakeOpenAI } from '../support/fake-openai.ts';
import { checkMessage, checkView } from '../support/slack-limits.ts';
import {
  blockAction,
  interactionBody,
  slashCommandBody,
  uploadedFile,
  viewSubmission,
} from '../support/slack-request.ts';
import { type Sshd, startSshd } from '../support/sshd.ts';
import { GPU_START_OPTIONS } from './gpu-options.ts';
import { adviceSubmission, Harness } from './harness.ts';
import type { Msg, View } from './job-flow.ts';

/**
 * The job form, its review and the advisor's "Start a job" for LoRA on a GPU host, end to end: the
 * real bot over signed HTTP, Slack and OpenAI faked at the HTTP edge, and the GPU host a real OpenSSH
 * server on loopback (GPU_SSH_* variables) running the stand-in trainer (the only double, at the
 * process boundary), whose pre-flight answers as `train_lora.py --check` does.
 */

let sshd: Sshd;
const openai = new FakeOpenAI();
const settings: Record<string, string> = { OPENAI_API_KEY: 'sk-e2e-secret', POLL_CRON: '0 0 1 1 *' };
const h = new Harness(settings, GPU_START_OPTIONS);

beforeAll(async () => {
  sshd = await startSshd();
  await openai.start();
  openai.now = () => h.clock.getTime();
  Object.assign(settings, {
    OPENAI_BASE_URL: openai.baseUrl,
    GPU_SSH_HOST: sshd.host,
    GPU_SSH_PORT: String(sshd.port),
    GPU_SSH_USER: sshd.user,
    GPU_SSH_KEY_PATH: sshd.userKey.path,
    GPU_SSH_HOST_KEY: sshd.hostKey.fingerprintLine,
    GPU_SSH_NAME: 'h100-1',
    GPU_SSH_PYTHON: PYTHON,
    GPU_SSH_WORK_DIR: `${sshd.dir}/jobs`,
    GPU_SSH_GPU_TYPE: 'H100-80GB',
  });
  await h.start();
});
afterAll(async () => {
  await h.stop();
  await openai.stop();
  await sshd?.stop();
});
beforeEach(() => h.slack.reset());

type Block = { type: string; block_id?: string; element?: Record<string, unknown> };
const blockOf = (view: View, id: string) => (view.blocks as Block[]).find((b) => b.block_id === id);
const optionValues = (view: View, id: string) =>
  ((blockOf(view, id)?.element?.options ?? []) as { value: string }[]).map((o) => o.value);

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You route support tickets.' },
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const TRAIN = `${Array.from({ length: 60 }, (_, i) => example(i)).join('\n')}\n`;

function gpuValues(over: Record<string, string> = {}, fileUrl?: string) {
  const text = (value: string) => ({ value: { type: 'plain_text_input', value } });
  const values: Record<string, Record<string, { type: string } & Record<string, unknown>>> = {
    provider: { [JOB_PROVIDER_ACTION_ID]: { type: 'static_select', selected_option: { value: 'gpu' } } },
    host: { value: { type: 'static_select', selected_option: { value: over.host ?? 'auto' } } },
    baseModel: text(over.baseModel ?? 'standin/Llama-1B'),
    file: {
      value: {
        type: 'file_input',
        files: fileUrl ? [uploadedFile({ name: 'tickets.jsonl', url: fileUrl, size: TRAIN.length })] : [],
      },
    },
    loraMethod: { value: { type: 'radio_buttons', selected_option: { value: 'lora' } } },
    loraTargets: { value: { type: 'radio_buttons', selected_option: { value: 'all-linear' } } },
    loraPacking: { value: { type: 'checkboxes', selected_options: [] } },
    channel: { value: { type: 'conversations_select', selected_conversation: 'C0JOBS' } },
  };
  for (const f of LORA_NUMBER_FIELDS) values[f.block] = text(over[f.key] ?? String(f.default));
  return values;
}

const submitForm = (values: ReturnType<typeof gpuValues>) =>
  h.post(
    interactionBody(
      viewSubmission({
        callbackId: JOB_START_CALLBACK_ID,
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values,
      }),
    ),
  );

/** The form submitted with a served training file; the review as the bot shows it once checked. */
async function review(over: Record<string, string>): Promise<View> {
  const fileUrl = h.slack.serve('tickets.jsonl', { body: TRAIN });
  const res = await submitForm(gpuValues(over, fileUrl));
  expect(res.json()).toMatchObject({ response_action: 'update' });
  const [update] = await h.slack.waitFor('views.update', 1, 30_000);
  const view = update?.args.view as View;
  expect(checkView(view as never)).toEqual([]);
  return view;
}

const jobs = () => h.withStore((s) => s.listJobs({ teamId: 'T0001', limit: 5 }));

async function tickUntil(id: string, ready: (j: JobRecord) => boolean, ms = 30_000): Promise<JobRecord> {
  const until = Date.now() + ms;
  for (;;) {
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const job = (await h.withStore((s) => s.getJob(id))) as JobRecord;
    if (ready(job)) return job;
    if (Date.now() > until) throw new Error(`job not ready: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const REQUESTER = 'U0ASKER'; // who submits the form (test/support/slack-request.ts)
const STRANGER = 'U0STRANGER';
let presses = 0;

/** Cancel pressed on the job's message as `userId`; the response_url its ephemeral answer would go to. */
async function pressCancel(jobId: string, userId: string): Promise<string> {
  const path = `/respond/gpu-cancel-${++presses}`;
  const res = await h.post(
    interactionBody(
      blockAction({
        actionId: JOB_CANCEL_ACTION_ID,
        value: jobId,
        userId,
        channelId: 'C0JOBS',
        responseUrl: `${h.slack.url}${path}`,
      }),
    ),
  );
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  return `response_url${path}`;
}

/** The ephemeral answer on `responded`, as text, once it came. */
async function answerOn(responded: string): Promise<string> {
  const [answer] = await h.slack.waitFor(responded);
  expect(answer?.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  return JSON.stringify(answer?.args);
}

/** Starts a GPU job through the form and its review; resolves to its record once it runs past `step`. */
async function runningGpuJob(baseModel: string, step: number): Promise<JobRecord> {
  const view = await review({ host: 'h100-1', baseModel });
  expect(view.submit).toMatchObject({ text: 'Start job' });
  const confirm = await h.post(
    interactionBody(
      viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata: view.private_metadata, values: {} }),
    ),
  );
  expect(confirm.json()).toEqual({ response_action: 'clear' });
  const created = (await jobs()).find((j) => j.request.model === baseModel);
  const running = await tickUntil(created?.id ?? '', (j) => j.phase === 'running' && (j.progress.step ?? 0) >= step);
  expect(running.messageTs).toBeTruthy();
  return running;
}

/** What the bot has said in Slack so far, to compare after a press that must change nothing. */
const said = () => ({
  updates: h.slack.callsTo('chat.update').length,
  posts: h.slack.callsTo('chat.postMessage').length,
});

describe('LoRA on a GPU host: the form, the review and the advisor, over signed HTTP', () => {
  it('offers the GPU host next to OpenAI, and re-renders the form for it when the provider changes', async () => {
    await h.post(slashCommandBody({ text: 'start' }));
    const [open] = await h.slack.waitFor('views.open');
    const first = open?.args.view as View;
    expect(optionValues(first, 'provider')).toEqual(['openai', 'gpu']);

    h.slack.reset();
    const action = {
      ...blockAction({ actionId: JOB_PROVIDER_ACTION_ID, value: 'gpu' }),
      container: { type: 'view', view_id: 'V0FORM' },
      view: {
        ...viewSubmission({ callbackId: JOB_START_CALLBACK_ID, values: gpuValues(), viewId: 'V0FORM' }).view,
        private_metadata: first.private_metadata,
      },
    };
    await h.post(interactionBody(action));
    const [update] = await h.slack.waitFor('views.update');
    const view = update?.args.view as View;
    expect(checkView(view as never)).toEqual([]);
    expect(optionValues(view, 'host')).toEqual(['auto', 'h100-1']);
    expect(blockOf(view, 'baseModel')?.element).toMatchObject({ type: 'plain_text_input' });
    expect(JSON.stringify(blockOf(view, 'baseModel'))).toContain('Suggested: meta-llama/');
    expect(blockOf(view, 'loraR')?.element).toMatchObject({ initial_value: '16' });
    expect(blockOf(view, 'fileId')).toBeUndefined();
  });

  it('sends each bad field its own error, and touches nothing on the host', async () => {
    const res = await submitForm(
      gpuValues({ r: '0', learningRate: 'fast', maxLength: '8', baseModel: './llama', host: 'ghost' }),
    );
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: {
        baseModel: expect.stringMatching(/must be absolute/),
        file: 'Upload a training file.',
        host: 'ghost is not one of the hosts configured here; choose another, or auto.',
        loraR: 'LoRA rank (r) is a whole number from 1 to 1,024 (default 16).',
        loraLearningRate: 'Learning rate is a number above 0 and at most 1 (default 0.0002).',
        loraMaxLength: 'Max sequence length (tokens) is a whole number from 32 to 1,048,576 (default 2,048).',
      },
    });
    expect(await jobs()).toEqual([]);
    const folders = existsSync(`${sshd.dir}/jobs`) ? readdirSync(`${sshd.dir}/jobs`) : [];
    expect(folders.filter((n) => n.startsWith('ft-'))).toEqual([]);
  });

  it('offers no Start when the host’s pre-flight fails, and says why with its hint', async () => {
    const view = await review({ baseModel: 'standin/gated-4x100' });
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Pre-flight on `h100-1` failed');
    expect(text).toContain('is gated on the Hugging Face Hub');
    expect(text).toContain(':bulb: Ask for access on the model');
    expect(view.submit).toBeUndefined();
    expect(await jobs()).toEqual([]);
  });

  it('reviews the file, the FLOPs-rule estimate and a passing pre-flight; Start runs the job and sums it up', async () => {
    const view = await review({ host: 'h100-1', epochs: '2', r: '8' });
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('`standin/Llama-1B`* on *Your GPUs (LoRA)* · host `h100-1`');
    expect(text).toContain('LoRA · r 8 · alpha 32');
    expect(text).toContain('tokens to train (2 epochs)');
    expect(text).toMatch(/Estimated cost: \$\d+\.\d\d/);
    expect(text).toContain('1× NVIDIA H100 80GB SXM at $3.00 per GPU-hour');
    expect(text).toContain('Pre-flight on `h100-1`: ready.');
    expect(text).toContain('Stand-in GPU 80GB');
    expect(view.submit).toMatchObject({ text: 'Start job' });

    const confirm = await h.post(
      interactionBody(
        viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata: view.private_metadata, values: {} }),
      ),
    );
    expect(confirm.json()).toEqual({ response_action: 'clear' });
    const [created] = await jobs();
    expect(created?.request).toMatchObject({
      model: 'standin/Llama-1B',
      host: 'h100-1',
      lora: { method: 'lora', r: 8, epochs: 2 },
      trainingFileName: 'tickets.jsonl',
    });
    expect(created?.estimateUsd).toBeGreaterThanOrEqual(0);

    const done = await tickUntil(created?.id ?? '', (j) => j.phase === 'succeeded', 40_000);
    expect(done.progress.host).toBe('h100-1');
    const final = h.slack.callsTo('chat.update').at(-1)?.args as unknown as Msg;
    expect(checkMessage(final as never)).toEqual([]);
    const finalText = JSON.stringify(final.blocks);
    expect(finalText).toContain(`Adapter: \`${sshd.dir}/jobs/${done.id}/output/adapter\``);
    expect(finalText).toContain('*Throughput*');
    expect(finalText).toContain('*GPU-hours*');
    expect(finalText).not.toContain(JOB_TRY_ACTION_ID);
    const summary = h.slack
      .callsTo('chat.postMessage')
      .map((c) => c.args as unknown as Msg)
      .filter((m) => m.thread_ts)
      .map((m) => m.text)
      .join('\n');
    expect(summary).toContain('The adapter is ready');
    expect(summary).toMatch(/GPU-hours/);
  }, 90_000);

  it('Cancel from Slack: a stranger is refused; the requester stops the trainer on the host and keeps the adapter so far', async () => {
    const job = await runningGpuJob('standin/ok-400x150', 2);
    const dir = `${sshd.dir}/jobs/${job.id}`;
    const pgid = Number(readFileSync(`${dir}/pgid`, 'utf8').trim());
    expect(groupMembers(pgid).length).toBeGreaterThan(0);
    h.slack.reset();

    // A stranger's press: refused, to them only; nothing stops on the host, nothing changes.
    const refused = await answerOn(await pressCancel(job.id, STRANGER));
    expect(refused).toContain(
      `Only <@${REQUESTER}> (who started it), an approver or an admin of this bot can cancel this job.`,
    );
    expect(said()).toEqual({ updates: 0, posts: 0 });
    expect(existsSync(`${dir}/cancel`)).toBe(false);
    expect(existsSync(`${dir}/exit_code`)).toBe(false);
    expect(groupMembers(pgid).length).toBeGreaterThan(0);
    expect(await h.withStore((s) => s.getJob(job.id))).toMatchObject({ phase: 'running', updatedAt: job.updatedAt });

    // The requester's press: the trainer stops at its next step, saves the adapter, and its group is gone.
    const responded = await pressCancel(job.id, REQUESTER);
    const cancelled = await eventually('the job cancelled in the store', async () => {
      const now = (await h.withStore((s) => s.getJob(job.id))) as JobRecord;
      if (now.phase !== 'cancelled') throw new Error(now.phase);
      return now;
    });
    const adapter = `${dir}/output/adapter`;
    expect(cancelled).toMatchObject({
      phase: 'cancelled',
      error: { code: 'cancelled', message: `Cancelled by <@${REQUESTER}>.` },
      fineTunedModel: adapter,
      finishedAt: expect.any(String),
      progress: expect.objectContaining({ host: 'h100-1' }),
    });
    await eventually('the trainer’s process group gone', async () => expect(groupMembers(pgid)).toEqual([]));
    expect(readFileSync(`${dir}/exit_code`, 'utf8').trim()).toBe('3');
    expect(existsSync(`${adapter}/adapter_model.safetensors`)).toBe(true);
    const events = readFileSync(`${dir}/events.jsonl`, 'utf8').trim().split('\n');
    expect(JSON.parse(events.at(-1) ?? '{}')).toMatchObject({ type: 'error', reason: 'cancelled' });
    expect(events.at(-1)).toContain('the cancel flag file was found');

    // The message edited once to its final state; the thread says so and where the adapter is.
    const [reply] = await h.slack.waitFor('chat.postMessage');
    const edits = h.slack.callsTo('chat.update').map((c) => c.args as unknown as Msg);
    expect(edits).toHaveLength(1);
    const final = edits[0] as Msg;
    expect(final).toMatchObject({ channel: 'C0JOBS', ts: job.messageTs });
    expect(checkMessage(final as never)).toEqual([]);
    expect(JSON.stringify(final.blocks)).toContain(`*Cancelled* by <@${REQUESTER}>`);
    expect(JSON.stringify(final.blocks)).not.toContain(JOB_CANCEL_ACTION_ID);
    expect(reply?.args).toMatchObject({ channel: 'C0JOBS', thread_ts: job.messageTs });
    expect(String(reply?.args.text)).toContain(
      `:octagonal_sign: The job was cancelled. The adapter trained so far is kept: \`${adapter}\``,
    );
    expect(h.slack.callsTo(responded)).toEqual([]); // no ephemeral "could not" for the one who cancelled

    // The monitor, coming round, has nothing more to say about it.
    h.advance(31_000);
    await h.bot?.monitor.tick();
    expect(said()).toEqual({ updates: 1, posts: 1 });

    // A second press: told it already ended; nothing is done, on the host or in Slack.
    const flagAt = statSync(`${dir}/cancel`).mtimeMs;
    const again = await answerOn(await pressCancel(job.id, REQUESTER));
    expect(again).toContain(`Job ${job.id} has already ended (cancelled).`);
    expect(said()).toEqual({ updates: 1, posts: 1 });
    expect(statSync(`${dir}/cancel`).mtimeMs).toBe(flagAt);
    expect(await h.withStore((s) => s.getJob(job.id))).toEqual(cancelled);
  }, 90_000);

  it('opens the form on the GPU host with the advisor’s suggested model for a self-hosting recommendation', async () => {
    const answers = adviceSubmission().replace(encodeURIComponent('"2M"'), encodeURIComponent('"2B"'));
    await h.post(answers);
    const [posted] = await h.slack.waitFor('chat.postMessage');
    expect(JSON.stringify(posted?.args.blocks)).toContain('Self-hosted LoRA/QLoRA on your GPUs');
    const button = ((posted?.args.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === START_JOB_ACTION_ID);
    expect(button?.value).toBeDefined();
    await h.post(interactionBody(blockAction({ actionId: START_JOB_ACTION_ID, value: button?.value ?? '' })));
    const [open] = await h.slack.waitFor('views.open');
    const view = open?.args.view as View;
    expect(checkView(view as never)).toEqual([]);
    expect(blockOf(view, 'provider')?.element?.initial_option).toMatchObject({ value: 'gpu' });
    expect(blockOf(view, 'baseModel')?.element?.initial_value).toBe('meta-llama/Llama-3.2-3B-Instruct');
  });
});
