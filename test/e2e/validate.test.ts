import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkMessage, checkView } from '../support/slack-limits.ts';
import { interactionBody, slashCommandBody, uploadedFile, viewSubmission } from '../support/slack-request.ts';
import { BOT_TOKEN, Harness } from './harness.ts';

// A small cap keeps the over-the-limit test quick; the default is 512 MB.
const h = new Harness({ MAX_FILE_MB: '5' });
beforeAll(() => h.start());
afterAll(() => h.stop());
beforeEach(() => h.slack.reset());

const example = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You classify support tickets.' },
      { role: 'user', content: `Ticket ${i}: my invoice number ${i * 7} is wrong` },
      { role: 'assistant', content: i % 2 ? 'billing' : 'account' },
    ],
  });
const goodFile = `${Array.from({ length: 60 }, (_, i) => example(i)).join('\n')}\n`;

function submit(
  file: Record<string, unknown> | undefined,
  o: { model?: string; epochs?: string; channel?: string } = {},
) {
  return h.post(
    interactionBody(
      viewSubmission({
        callbackId: 'validate_file',
        privateMetadata: JSON.stringify({ v: 1, channel: o.channel ?? 'C0CHAN' }),
        values: {
          file: { value: { type: 'file_input', files: file ? [file] : [] } },
          model: { value: { type: 'static_select', selected_option: { value: o.model ?? 'gpt-4.1-mini-2025-04-14' } } },
          epochs: { value: { type: 'plain_text_input', value: o.epochs ?? '' } },
        },
      }),
    ),
  );
}

type Posted = { channel: string; text: string; blocks: Array<Record<string, unknown>> };
const posted = async (n = 1) => (await h.slack.waitFor('chat.postMessage', n)).map((c) => c.args as unknown as Posted);

describe('/finetune validate, end to end over HTTP', () => {
  it('opens a modal with a file upload and a model picker', async () => {
    await h.post(slashCommandBody({ text: 'validate' }));
    const [open] = await h.slack.waitFor('views.open');
    const view = open?.args.view as Record<string, unknown>;
    expect(checkView(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: 'validate_file', private_metadata: '{"v":1,"channel":"C0CHAN"}' });
    expect(JSON.stringify(view)).toContain('"type":"file_input"');
  });

  it('downloads the file with the bot token, validates it and posts the report in the channel', async () => {
    const url = h.slack.serve('tickets.jsonl', { body: goodFile });
    const res = await submit(uploadedFile({ name: 'tickets.jsonl', url, size: goodFile.length }));
    expect(res.json()).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const [report] = await posted();
    expect(h.slack.callsTo(`file${new URL(url).pathname.slice('/files'.length)}`)[0]?.authorization).toBe(
      `Bearer ${BOT_TOKEN}`,
    );
    expect(report?.channel).toBe('C0CHAN');
    expect(checkMessage(report ?? {})).toEqual([]);
    const text = JSON.stringify(report?.blocks);
    expect(text).toContain('tickets.jsonl is ready to train');
    expect(text).toContain('60 examples');
    expect(text).toContain('Billable tokens');
    expect(text).toContain('OpenAI gpt-4.1-mini');
    // No provider is configured in this bot: nowhere to start a job, so the report does not offer it.
    expect(text).not.toContain('start_job_with_file');
  });

  it('lists errors by line with their JSON path', async () => {
    const lines = goodFile.trim().split('\n');
    lines[2] = '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":42}]}';
    lines[4] = 'not json at all';
    const body = `${lines.join('\n')}\n`;
    const url = h.slack.serve('broken.jsonl', { body });
    await submit(uploadedFile({ name: 'broken.jsonl', url, size: body.length }));
    const [report] = await posted();
    const text = JSON.stringify(report?.blocks);
    expect(text).toContain('broken.jsonl: 2 errors to fix');
    expect(text).toMatch(/Line 3 `\$\.messages\[1\]\.content`/);
    expect(text).toContain('Line 5');
    expect(checkMessage(report ?? {})).toEqual([]);
  });

  it('reports a binary file as unreadable, without crashing', async () => {
    const body = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, ...Array(500).fill(0)]);
    const url = h.slack.serve('image.jsonl', { body });
    await submit(uploadedFile({ name: 'image.jsonl', url, size: body.length }));
    const [report] = await posted();
    expect(JSON.stringify(report?.blocks)).toContain('image.jsonl could not be read as training data');
  });

  it('tells only the person when the file is gone from Slack', async () => {
    const url = `${h.slack.url}/files/T0001-F404/download/gone.jsonl`;
    await submit(uploadedFile({ name: 'gone.jsonl', url, size: 100 }));
    const [dm] = await posted();
    expect(dm?.channel).toBe('U0ASKER');
    expect(dm?.text).toContain('I could not check gone.jsonl. The file is no longer in Slack');
  });

  it('explains a sign-in page as a missing files:read scope', async () => {
    const url = h.slack.serve('login.jsonl', {
      body: '<html>sign in</html>',
      headers: { 'content-type': 'text/html' },
    });
    await submit(uploadedFile({ name: 'login.jsonl', url, size: 100 }));
    const [dm] = await posted();
    expect(dm?.text).toContain('missing the files:read scope');
  });

  it('never sends the bot token to a host that is not Slack', async () => {
    await submit(uploadedFile({ name: 'evil.jsonl', url: 'http://files.example.org/steal.jsonl', size: 100 }));
    const [dm] = await posted();
    expect(dm?.text).toContain('does not point at Slack');
    expect(h.slack.calls.filter((c) => c.method.startsWith('file'))).toEqual([]);
  });

  it('stops reading a file that is larger than it said, at the limit', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const url = h.slack.serve('huge.jsonl', {
      body: async function* () {
        for (let i = 0; i < 8; i++) yield chunk;
      },
    });
    await submit(uploadedFile({ name: 'huge.jsonl', url, size: 1000 }));
    const [dm] = await posted();
    expect(dm?.channel).toBe('U0ASKER');
    expect(dm?.text).toContain('larger than the limit here, 5 MB');
  });

  it.each([
    ['no file', undefined, {}, { file: 'Attach one JSONL file.' }],
    [
      'a file over the limit',
      uploadedFile({ name: 'big.jsonl', url: 'https://files.slack.com/x', size: 600 * 1024 * 1024 }),
      {},
      { file: 'That file is 600 MB; the limit here is 5 MB.' },
    ],
    [
      'a PDF',
      uploadedFile({ name: 'data.pdf', url: 'https://files.slack.com/x', size: 10 }),
      {},
      { file: '“data.pdf” is not a JSON Lines file; I read .jsonl (one JSON example per line).' },
    ],
    [
      'bad epochs and an unknown model',
      uploadedFile({ name: 'a.jsonl', url: 'https://files.slack.com/x', size: 10 }),
      { epochs: '-2', model: 'gpt-9' },
      {
        epochs: 'Epochs is a whole number from 1 to 50, or blank for auto.',
        model: 'Choose a base model from the list.',
      },
    ],
  ])('refuses %s on the exact field, and downloads and posts nothing', async (_, file, o, errors) => {
    const res = await submit(file, o);
    expect(res.json()).toEqual({ response_action: 'errors', errors });
    await new Promise((r) => setTimeout(r, 100));
    expect(h.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });
});
