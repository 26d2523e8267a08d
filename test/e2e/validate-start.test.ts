import { describe, expect, it } from 'vitest';
import { JOB_REVIEW_CALLBACK_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { checkMessage, checkView } from '../support/slack-limits.ts';
import { blockAction, interactionBody, uploadedFile, viewSubmission } from '../support/slack-request.ts';
import { startValues, useJobHarness, type View, waitForJob } from './job-flow.ts';

/** The validation report's next step: "Start a job with this file" opens the job form carrying that file. */

const { h, openai } = useJobHarness();
const MODEL = 'gpt-4.1-mini-2025-04-14';

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Ticket ${i}: my invoice ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const goodFile = `${Array.from({ length: 40 }, (_, i) => example(i)).join('\n')}\n`;

type Text = { text: string };
type Block = {
  type: string;
  block_id?: string;
  optional?: boolean;
  label?: Text;
  hint?: Text;
  element?: { initial_value?: string; initial_option?: { value: string } };
  elements?: Array<Record<string, unknown>>;
};

/** Validates a served file through the modal; returns the posted report's blocks. */
async function validate(name: string, body: string, epochs = '') {
  const url = h.slack.serve(name, { body });
  await h.post(
    interactionBody(
      viewSubmission({
        callbackId: 'validate_file',
        privateMetadata: JSON.stringify({ v: 1, channel: 'C0CHAN' }),
        values: {
          file: {
            value: { type: 'file_input', files: [uploadedFile({ name, url, size: body.length, id: 'F0VALID' })] },
          },
          model: { value: { type: 'static_select', selected_option: { value: MODEL } } },
          epochs: { value: { type: 'plain_text_input', value: epochs } },
        },
      }),
    ),
  );
  const [report] = await h.slack.waitFor('chat.postMessage');
  expect(checkMessage(report?.args ?? {})).toEqual([]);
  return { blocks: report?.args.blocks as Block[] };
}

const startButton = (blocks: Block[]) =>
  blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'start_job_with_file');

async function clickStart(value: string, responseUrl?: string) {
  await h.post(
    interactionBody(
      blockAction({
        actionId: 'start_job_with_file',
        value,
        channelId: 'C0CHAN',
        ...(responseUrl ? { responseUrl } : {}),
      }),
    ),
  );
}

describe('Start a job with this file', () => {
  it('opens the job form on the validated file, and the job trains on it without a second upload', async () => {
    const { blocks } = await validate('tickets.jsonl', goodFile, '4');
    const button = startButton(blocks);
    expect(button).toMatchObject({ text: { text: 'Start a job with this file' }, style: 'primary' });

    h.slack.reset();
    const url = h.slack.serve('tickets.jsonl', { body: goodFile });
    h.slack.on('files.info', (args) => ({
      ok: true,
      file: { id: args.file, name: 'tickets.jsonl', size: goodFile.length, url_private_download: url },
    }));
    await clickStart(button?.value as string);
    const [open] = await h.slack.waitFor('views.open');
    const form = open?.args.view as Omit<View, 'blocks'> & { blocks: Block[] };
    expect(checkView(form as never)).toEqual([]);
    expect(form.callback_id).toBe(JOB_START_CALLBACK_ID);
    const fileBlock = form.blocks.find((b) => b.block_id === 'file');
    expect(fileBlock?.optional).toBe(true);
    expect(fileBlock?.label?.text).toBe('Training file: tickets.jsonl');
    expect(fileBlock?.hint?.text).toContain('Leave it empty to train on tickets.jsonl');
    const element = (id: string) => form.blocks.find((b) => b.block_id === id)?.element;
    // Checked against this model with 4 epochs: the form starts there.
    expect(element('model_openai')?.initial_option?.value).toBe(MODEL);
    expect(element('epochs')?.initial_value).toBe('4');

    // Submitted with the upload left empty: the bot looks the file up again and checks it for the review.
    const res = await h.post(
      interactionBody(
        viewSubmission({
          callbackId: JOB_START_CALLBACK_ID,
          privateMetadata: form.private_metadata,
          values: startValues(),
        }),
      ),
    );
    expect(res.json()).toMatchObject({ response_action: 'update' });
    const [update] = await h.slack.waitFor('views.update');
    const review = update?.args.view as View;
    expect(h.slack.callsTo('files.info')[0]?.args.file).toBe('F0VALID');
    expect(JSON.stringify(review.blocks)).toContain('40');
    expect(review.submit).toBeDefined();

    const confirm = await h.post(
      interactionBody(
        viewSubmission({ callbackId: JOB_REVIEW_CALLBACK_ID, privateMetadata: review.private_metadata, values: {} }),
      ),
    );
    expect(confirm.json()).toEqual({ response_action: 'clear' });
    const job = await waitForJob(h, (j) => j.providerJobId !== null || j.phase === 'failed');
    expect(job.phase).not.toBe('failed');
    expect(job.request.trainingFileName).toBe('tickets.jsonl');
    // The validated file itself, read from Slack again (for the review, then for the upload), went to OpenAI.
    const uploaded = [...openai.files.values()].find((f) => f.id === job.request.trainingFileId);
    expect(uploaded?.filename).toMatch(new RegExp(`^${job.id}-`));
    expect(uploaded?.bytes).toBeGreaterThan(goodFile.length);
    expect(h.slack.callsTo(`file${new URL(url).pathname.slice('/files'.length)}`).length).toBe(2);
  });

  it('is not offered on a file with errors', async () => {
    const { blocks } = await validate('broken.jsonl', `${goodFile}not json\n`);
    expect(startButton(blocks)).toBeUndefined();
  });

  it('says so, and starts nothing, when the file is gone from Slack by the time the form is sent', async () => {
    const { blocks } = await validate('tickets.jsonl', goodFile);
    h.slack.reset();
    await clickStart(startButton(blocks)?.value as string);
    const [open] = await h.slack.waitFor('views.open');
    const form = open?.args.view as View;
    h.slack.on('files.info', () => ({ ok: false, error: 'file_deleted' }));
    const before = await h.withStore((s) => s.listJobs({ teamId: 'T0001', channelId: 'C0JOBS', limit: 50 }));
    await h.post(
      interactionBody(
        viewSubmission({
          callbackId: JOB_START_CALLBACK_ID,
          privateMetadata: form.private_metadata,
          values: startValues(),
        }),
      ),
    );
    const [update] = await h.slack.waitFor('views.update');
    const review = update?.args.view as View;
    expect(JSON.stringify(review.blocks)).toContain(
      ':x: I could not check the file: tickets.jsonl is no longer in Slack where I can read it',
    );
    expect(review.submit).toBeUndefined();
    const after = await h.withStore((s) => s.listJobs({ teamId: 'T0001', channelId: 'C0JOBS', limit: 50 }));
    expect(after.length).toBe(before.length);
  });

  it('answers a button that is not ours with a note, and opens nothing', async () => {
    const responseUrl = `${h.slack.url}/actions/forged`;
    await clickStart('{"f":"not-a-file-id","n":"x.jsonl"}', responseUrl);
    const [reply] = await h.slack.waitFor('response_url/actions/forged');
    expect(reply?.args.text).toContain('That button is from an older report');
    expect(h.slack.callsTo('views.open')).toEqual([]);
  });
});
