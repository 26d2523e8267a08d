import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/providers/types.ts';
import { decodeChannelMetadata } from '../../src/slack/channel-metadata.ts';
import {
  JOB_MODEL_ACTION_ID,
  JOB_PROVIDER_ACTION_ID,
  JOB_START_CALLBACK_ID,
  modelBlockId,
} from '../../src/slack/job-ids.ts';
import { decodeReviewMetadata, encodeReviewMetadata } from '../../src/slack/job-review-metadata.ts';
import { type JobProviderChoice, jobStartSelection, jobStartView, parseJobStart } from '../../src/slack/job-view.ts';
import { checkView } from '../support/slack-limits.ts';

const mini: ModelInfo = {
  id: 'gpt-4.1-mini-2025-04-14',
  family: 'gpt-4.1-mini',
  label: 'GPT-4.1 mini',
  methods: ['supervised', 'dpo'],
};
const fourO: ModelInfo = {
  id: 'gpt-4o-mini-2024-07-18',
  family: 'gpt-4o-mini',
  label: 'GPT-4o mini',
  methods: ['supervised'],
};
const PROVIDERS: JobProviderChoice[] = [
  { id: 'openai', label: 'OpenAI', models: [mini, fourO] },
  { id: 'azure', label: 'Azure OpenAI', models: [fourO, mini] },
];

type Blocks = { type: string; block_id?: string; dispatch_action?: boolean; element?: Record<string, unknown> }[];
const block = (view: { blocks: unknown[] }, id: string) => (view.blocks as Blocks).find((b) => b.block_id === id);
const optionValues = (view: { blocks: unknown[] }, id: string) =>
  ((block(view, id)?.element?.options ?? []) as { value: string }[]).map((o) => o.value);

describe('the job start modal', () => {
  it('is within Slack’s limits for each provider, and with nothing configured', () => {
    for (const selected of ['openai', 'azure'] as const) {
      const view = jobStartView({ providers: PROVIDERS, selected, metadata: '{"v":1}' });
      expect(checkView(view)).toEqual([]);
      expect(view.callback_id).toBe(JOB_START_CALLBACK_ID);
    }
    const none = jobStartView({ providers: [], metadata: '' });
    expect(checkView(none)).toEqual([]);
    expect(none.submit).toBeUndefined();
    expect(JSON.stringify(none)).toContain('No training provider is configured');
  });

  it('dispatches provider and model changes and lists only the selected provider’s models', () => {
    const view = jobStartView({ providers: PROVIDERS, selected: 'azure', metadata: '' });
    const provider = block(view, 'provider');
    expect(provider?.dispatch_action).toBe(true);
    expect(provider?.element).toMatchObject({ type: 'static_select', action_id: JOB_PROVIDER_ACTION_ID });
    expect(provider?.element?.initial_option).toMatchObject({ value: 'azure' });
    const model = block(view, modelBlockId('azure'));
    expect(model?.element?.action_id).toBe(JOB_MODEL_ACTION_ID);
    expect(optionValues(view, modelBlockId('azure'))).toEqual([fourO.id, mini.id]);
  });

  it('takes a JSONL upload or a file id, and reports in the current channel by default', () => {
    const view = jobStartView({ providers: PROVIDERS, metadata: '' });
    expect(block(view, 'file')?.element).toMatchObject({ type: 'file_input', filetypes: ['jsonl'], max_files: 1 });
    expect(block(view, 'fileId')?.element?.type).toBe('plain_text_input');
    expect(block(view, 'channel')?.element).toMatchObject({
      type: 'conversations_select',
      default_to_current_conversation: true,
    });
    const prefilled = jobStartView({ providers: PROVIDERS, metadata: '', prefill: { channelId: 'C0CHAN' } });
    expect(block(prefilled, 'channel')?.element).toMatchObject({ initial_conversation: 'C0CHAN' });
  });

  it('offers DPO only for a model that has it', () => {
    const methods = (model: string) =>
      optionValues(jobStartView({ providers: PROVIDERS, metadata: '', prefill: { model } }), 'method');
    expect(methods(mini.id)).toEqual(['supervised', 'dpo']);
    expect(methods(fourO.id)).toEqual(['supervised']);
  });

  it('shows the training tier with a cost hint on Azure only, and the suffix limit per provider', () => {
    const azure = jobStartView({ providers: PROVIDERS, selected: 'azure', metadata: '' });
    const tiers = block(azure, 'trainingType')?.element?.options as { value: string; description: { text: string } }[];
    expect(tiers.map((t) => t.value)).toEqual(['globalstandard', 'standard', 'developer']);
    expect(tiers[2]?.description.text).toContain('Half the Global price');
    expect(block(azure, 'suffix')?.element?.max_length).toBe(40);
    const openai = jobStartView({ providers: PROVIDERS, selected: 'openai', metadata: '' });
    expect(block(openai, 'trainingType')).toBeUndefined();
    expect(block(openai, 'suffix')?.element?.max_length).toBe(64);
  });

  it('pre-fills hyper-parameters and leaves “auto” as the placeholder', () => {
    const view = jobStartView({
      providers: PROVIDERS,
      metadata: '',
      prefill: {
        hyperparameters: { nEpochs: 4, batchSize: 'auto', learningRateMultiplier: 0.5 },
        suffix: 'x'.repeat(80),
      },
    });
    expect(checkView(view)).toEqual([]);
    expect(block(view, 'epochs')?.element).toMatchObject({ initial_value: '4', placeholder: { text: 'auto' } });
    expect(block(view, 'batchSize')?.element?.initial_value).toBeUndefined();
    expect(block(view, 'lrMultiplier')?.element?.initial_value).toBe('0.5');
  });
});

type Values = Record<string, Record<string, Record<string, unknown>>>;
function values(over: Record<string, unknown> = {}, provider = 'openai', model = mini.id): Values {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
  const o = {
    fileId: undefined,
    upload: { id: 'F1', name: 'train.jsonl', size: 1200, url_private_download: 'https://files/x' },
    ...over,
  } as Record<string, string | undefined | object>;
  return {
    provider: { [JOB_PROVIDER_ACTION_ID]: { type: 'static_select', selected_option: { value: provider } } },
    [modelBlockId(provider)]: { [JOB_MODEL_ACTION_ID]: { type: 'static_select', selected_option: { value: model } } },
    file: { value: { type: 'file_input', files: o.upload ? [o.upload] : [] } },
    fileId: text(o.fileId as string | undefined),
    validationFileId: text(o.validationFileId as string | undefined),
    suffix: text(o.suffix as string | undefined),
    method: { value: { type: 'radio_buttons', selected_option: { value: (o.method as string) ?? 'supervised' } } },
    epochs: text(o.epochs as string | undefined),
    batchSize: text(o.batchSize as string | undefined),
    lrMultiplier: text(o.lr as string | undefined),
    ...(o.tier ? { trainingType: { value: { type: 'radio_buttons', selected_option: { value: o.tier } } } } : {}),
    channel: { value: { type: 'conversations_select', selected_conversation: (o.channel as string) ?? 'C0CHAN' } },
  };
}
const parse = (over: Record<string, unknown> = {}, provider = 'openai', model = mini.id) =>
  parseJobStart(values(over, provider, model) as never, PROVIDERS);
const errorsOf = (over: Record<string, unknown>, provider = 'openai', model = mini.id) => {
  const result = parse(over, provider, model);
  return result.ok ? {} : result.errors;
};

describe('reading the job start modal', () => {
  it('reads an upload with auto hyper-parameters into a request', () => {
    expect(parse({ suffix: 'support-bot' })).toEqual({
      ok: true,
      request: {
        provider: 'openai',
        channelId: 'C0CHAN',
        model: mini.id,
        method: 'supervised',
        trainingFileName: 'train.jsonl',
        uploadedFile: { id: 'F1', name: 'train.jsonl', size: 1200, url_private_download: 'https://files/x' },
        suffix: 'support-bot',
        hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
      },
    });
  });

  it('reads a file id, numbers, DPO and the Azure tier', () => {
    const result = parse(
      {
        upload: null,
        fileId: 'file-AbC123',
        validationFileId: 'file-v1',
        method: 'dpo',
        epochs: '4',
        batchSize: '16',
        lr: '0.5',
        tier: 'developer',
      },
      'azure',
    );
    expect(result).toMatchObject({
      ok: true,
      request: {
        provider: 'azure',
        trainingFileId: 'file-AbC123',
        validationFileId: 'file-v1',
        method: 'dpo',
        hyperparameters: { nEpochs: 4, batchSize: 16, learningRateMultiplier: 0.5 },
        trainingType: 'developer',
      },
    });
    expect(parse({}, 'azure')).toMatchObject({ ok: true, request: { trainingType: 'globalstandard' } });
  });

  it('asks for a file when there is neither an upload nor an id', () => {
    expect(errorsOf({ upload: null })).toEqual({
      file: 'Upload a training file, or give the id of one already on the provider.',
    });
  });

  it('refuses both an upload and an id', () => {
    expect(errorsOf({ fileId: 'file-abc' })).toEqual({
      fileId: 'Give either an uploaded file or a file id, not both.',
    });
  });

  it('refuses a file id that does not look like file-…', () => {
    expect(errorsOf({ upload: null, fileId: 'ftjob-abc' })).toEqual({ fileId: 'A file id looks like file-abc123.' });
    expect(errorsOf({ validationFileId: 'abc' })).toEqual({ validationFileId: 'A file id looks like file-abc123.' });
  });

  it('refuses an upload that is not JSONL', () => {
    expect(errorsOf({ upload: { id: 'F2', name: 'train.csv' } })).toEqual({
      file: 'The training file must be a .jsonl file (one JSON example per line).',
    });
  });

  it('checks the suffix length per provider and its characters', () => {
    expect(errorsOf({ suffix: 'a'.repeat(41) }, 'azure')).toEqual({
      suffix: 'Azure OpenAI takes a suffix of at most 40 characters; this one has 41.',
    });
    expect(errorsOf({ suffix: 'a'.repeat(41) }, 'openai')).toEqual({});
    expect(errorsOf({ suffix: 'a'.repeat(65) }, 'openai')).toEqual({
      suffix: 'OpenAI takes a suffix of at most 64 characters; this one has 65.',
    });
    expect(errorsOf({ suffix: 'support bot!' })).toEqual({
      suffix: 'Use only letters, digits, - and _ in the suffix.',
    });
  });

  it('checks epochs, batch size and the learning-rate multiplier', () => {
    const epochs = 'Epochs is a whole number from 1 to 50, or blank for auto.';
    const batch = 'Batch size is a whole number from 1 to 256, or blank for auto.';
    const lr = 'The learning-rate multiplier is a number above 0 and at most 10, or blank for auto.';
    expect(errorsOf({ epochs: '0' })).toEqual({ epochs });
    expect(errorsOf({ epochs: '2.5' })).toEqual({ epochs });
    expect(errorsOf({ epochs: '51' })).toEqual({ epochs });
    expect(errorsOf({ epochs: '50', batchSize: '256', lr: '10' })).toEqual({});
    expect(errorsOf({ batchSize: '257' })).toEqual({ batchSize: batch });
    expect(errorsOf({ batchSize: 'big' })).toEqual({ batchSize: batch });
    expect(errorsOf({ lr: '0' })).toEqual({ lrMultiplier: lr });
    expect(errorsOf({ lr: '10.5' })).toEqual({ lrMultiplier: lr });
    expect(errorsOf({ lr: '-1' })).toEqual({ lrMultiplier: lr });
    expect(errorsOf({ epochs: 'AUTO', batchSize: ' auto ', lr: '.05' })).toEqual({});
  });

  it('refuses a model the provider does not offer (a stale choice) and DPO where the model lacks it', () => {
    expect(errorsOf({}, 'azure', 'gpt-5-nano')).toEqual({
      [modelBlockId('azure')]: 'gpt-5-nano is not offered by Azure OpenAI; choose a model from the list.',
    });
    expect(errorsOf({ method: 'dpo' }, 'openai', fourO.id)).toEqual({
      method: 'GPT-4o mini does not offer DPO here; choose Supervised.',
    });
  });

  it('asks for a provider and a channel', () => {
    expect(parseJobStart({} as never, PROVIDERS)).toEqual({ ok: false, errors: { provider: 'Choose a provider.' } });
    expect(errorsOf({ channel: '' })).toEqual({ channel: 'Choose a channel to report in.' });
  });

  it('reads the current selection so the handler can re-render on a dispatch', () => {
    expect(jobStartSelection(values({}, 'azure', fourO.id) as never)).toEqual({ provider: 'azure', model: fourO.id });
    expect(jobStartSelection(undefined)).toEqual({});
  });
});

describe('reading what Slack would never send', () => {
  const unreadable = 'This answer could not be read. Please enter it again.';

  it.each([
    ['a number', 5],
    ['an object', { n: 5 }],
    ['an array', ['5']],
    ['a megabyte', 'x'.repeat(1024 * 1024)],
  ])('answers an epochs value that is %s with a field error, not a throw', (_name, value) => {
    const v = values();
    v.epochs = { value: { type: 'plain_text_input', value } };
    expect(parseJobStart(v, PROVIDERS)).toEqual({ ok: false, errors: { epochs: unreadable } });
  });

  it('refuses absurd numbers and unknown methods on their fields', () => {
    expect(errorsOf({ epochs: '-5', batchSize: '1000000000', lr: '1e9' })).toEqual({
      epochs: 'Epochs is a whole number from 1 to 50, or blank for auto.',
      batchSize: 'Batch size is a whole number from 1 to 256, or blank for auto.',
      lrMultiplier: 'The learning-rate multiplier is a number above 0 and at most 10, or blank for auto.',
    });
    expect(errorsOf({ method: 'constructor' })).toEqual({ method: 'Choose Supervised or DPO.' });
  });

  it.each(['constructor', '__proto__', 'toString'])('knows no provider %s', (id) => {
    expect(parseJobStart(values({}, id) as never, PROVIDERS)).toEqual({
      ok: false,
      errors: { provider: 'Choose a provider.' },
    });
    expect(jobStartSelection(values({}, id))).toEqual({});
  });

  it('reads nothing from state that is no object', () => {
    for (const v of [null, 5, 'x', [], { provider: [] }]) {
      expect(parseJobStart(v, PROVIDERS)).toEqual({ ok: false, errors: { provider: 'Choose a provider.' } });
      expect(jobStartSelection(v)).toEqual({});
    }
  });
});

describe('the review step’s metadata', () => {
  const parsed = parse({ suffix: 'tickets', epochs: '3' });
  const request = parsed.ok ? parsed.request : undefined;
  const encoded = (over: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) =>
    JSON.stringify({ v: 1, request: { ...request, ...over }, estimateUsd: 1.5, needsApproval: false, ...meta });

  it('round-trips what the form produced', () => {
    if (!request) throw new Error('the form did not parse');
    const meta = { request, estimateUsd: 1.5, needsApproval: false };
    expect(decodeReviewMetadata(encodeReviewMetadata(meta))).toEqual(meta);
  });

  it.each([
    ['provider constructor', { provider: 'constructor' }],
    ['provider __proto__', { provider: '__proto__' }],
    ['epochs -5', { hyperparameters: { nEpochs: -5, batchSize: 'auto', learningRateMultiplier: 'auto' } }],
    ['batch 1e9', { hyperparameters: { nEpochs: 3, batchSize: 1e9, learningRateMultiplier: 'auto' } }],
    ['lr 0', { hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 0 } }],
    ['a suffix Azure refuses', { provider: 'azure', suffix: 'a'.repeat(41) }],
    ['a file id of another shape', { trainingFileId: 'ftjob-1' }],
    ['a channel name', { channelId: '#general' }],
    ['a Slack file nobody uploaded', { slackFile: { id: 'F1', name: 'x.jsonl', url: 'http://evil.example/' } }],
    ['an unknown method', { method: 'rlhf' }],
  ])('refuses a request with %s, saying where', (_name, over) => {
    const problems: string[] = [];
    expect(decodeReviewMetadata(encoded(over), (p) => problems.push(p))).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^request/);
  });

  it('refuses metadata that is not what this release wrote', () => {
    for (const raw of [
      undefined,
      5,
      '',
      'null',
      '[]',
      '{"v":0}',
      'x'.repeat(3001),
      encoded({}, { needsApproval: 'no' }),
    ]) {
      expect(decodeReviewMetadata(raw)).toBeUndefined();
    }
  });

  it('decodes channel metadata the same careful way', () => {
    expect(decodeChannelMetadata('{"v":1,"channel":"C0CHAN","advice":"not-a-uuid"}')).toEqual({ channelId: 'C0CHAN' });
    for (const raw of [
      undefined,
      5,
      '{"v":1,"channel":5}',
      '{"v":1,"channel":"c-lower"}',
      `{"v":1,"channel":"C1","x":"${'x'.repeat(4000)}"}`,
    ]) {
      expect(decodeChannelMetadata(raw)).toBeUndefined();
    }
  });
});
