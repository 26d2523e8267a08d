import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/providers/types.ts';
import { KNOWN_CAPABILITIES } from '../../src/slack/job-choice.ts';
import { JOB_MODEL_ACTION_ID, JOB_PROVIDER_ACTION_ID, modelBlockId } from '../../src/slack/job-ids.ts';
import { decodeReviewMetadata, encodeReviewMetadata } from '../../src/slack/job-review-metadata.ts';
import { type JobProviderChoice, jobStartSelection, jobStartView, parseJobStart } from '../../src/slack/job-view.ts';
import { LORA_DEFAULTS, LORA_NUMBER_FIELDS } from '../../src/slack/lora-settings.ts';
import { checkView } from '../support/slack-limits.ts';

const llama: ModelInfo = {
  id: 'meta-llama/Llama-3.1-8B-Instruct',
  family: 'llama-3.1',
  label: 'Llama 3.1 8B Instruct',
  methods: ['supervised'],
};
const qwen: ModelInfo = {
  id: 'Qwen/Qwen2.5-3B-Instruct',
  family: 'qwen-2.5',
  label: 'Qwen2.5 3B',
  methods: ['supervised'],
};
const mini: ModelInfo = {
  id: 'gpt-4.1-mini-2025-04-14',
  family: 'gpt-4.1-mini',
  label: 'GPT-4.1 mini',
  methods: ['supervised', 'dpo'],
};

const GPU: JobProviderChoice = {
  id: 'gpu',
  label: 'Your GPUs (LoRA)',
  models: [llama, qwen],
  capabilities: KNOWN_CAPABILITIES.gpu,
  hosts: [
    { name: 'h100-1', gpuType: 'H100-80GB', gpuCount: 1 },
    { name: 'a100-x2', gpuType: 'A100-80GB', gpuCount: 2 },
  ],
};
const OPENAI: JobProviderChoice = { id: 'openai', label: 'OpenAI', models: [mini] };
const PROVIDERS = [OPENAI, GPU];

type Block = {
  type: string;
  block_id?: string;
  optional?: boolean;
  element?: Record<string, unknown>;
  hint?: { text: string };
};
const blocks = (view: { blocks: unknown[] }) => view.blocks as Block[];
const block = (view: { blocks: unknown[] }, id: string) => blocks(view).find((b) => b.block_id === id);
const optionValues = (view: { blocks: unknown[] }, id: string) =>
  ((block(view, id)?.element?.options ?? []) as { value: string }[]).map((o) => o.value);

describe('the job form for LoRA on GPU hosts', () => {
  const view = jobStartView({ providers: PROVIDERS, selected: 'gpu', metadata: '{"v":1,"channel":"C0CHAN"}' });

  it('is within Slack’s limits, asks what the capabilities say, and nothing of the hosted APIs', () => {
    expect(checkView(view)).toEqual([]);
    expect(blocks(view).map((b) => b.block_id)).toEqual([
      'provider',
      'host',
      'baseModel',
      'file',
      'loraMethod',
      'loraTargets',
      ...LORA_NUMBER_FIELDS.map((f) => f.block),
      'loraPacking',
      'channel',
    ]);
    for (const hosted of [
      'fileId',
      'validationFileId',
      'suffix',
      'method',
      'epochs',
      'batchSize',
      'lrMultiplier',
      'trainingType',
    ]) {
      expect(block(view, hosted), hosted).toBeUndefined();
    }
    expect(block(view, modelBlockId('gpu'))).toBeUndefined();
    expect(block(view, 'file')).toMatchObject({
      optional: false,
      element: { type: 'file_input', filetypes: ['jsonl'] },
    });
  });

  it('offers auto first, then each host with its GPUs', () => {
    const host = block(view, 'host');
    expect(host?.element).toMatchObject({ type: 'static_select', initial_option: { value: 'auto' } });
    expect(
      ((host?.element?.options ?? []) as { text: { text: string }; value: string }[]).map((o) => [
        o.value,
        o.text.text,
      ]),
    ).toEqual([
      ['auto', 'Auto (a free host)'],
      ['h100-1', 'h100-1 · H100-80GB'],
      ['a100-x2', 'a100-x2 · 2× A100-80GB'],
    ]);
    const noList = jobStartView({ providers: [{ ...GPU, hosts: undefined }], metadata: '' });
    expect(optionValues(noList, 'host')).toEqual(['auto']);
    expect(checkView(noList)).toEqual([]);
  });

  it('takes the base model as text, with the provider’s suggestions as the hint', () => {
    const model = block(view, 'baseModel');
    expect(model?.element).toMatchObject({ type: 'plain_text_input', initial_value: llama.id, max_length: 512 });
    expect(model?.hint?.text).toContain(`Suggested: ${llama.id}, ${qwen.id}.`);
    const prefilled = jobStartView({
      providers: PROVIDERS,
      selected: 'gpu',
      metadata: '',
      prefill: { model: '/models/mine' },
    });
    expect(block(prefilled, 'baseModel')?.element?.initial_value).toBe('/models/mine');
  });

  it('pre-fills spec.py’s defaults (or what it is given), with blank meaning the default', () => {
    for (const f of LORA_NUMBER_FIELDS) {
      expect(block(view, f.block)?.element, f.block).toMatchObject({
        initial_value: String(f.default),
        placeholder: { text: expect.stringContaining('(default)') },
      });
      expect(block(view, f.block)?.optional).toBe(true);
    }
    expect(block(view, 'loraMethod')?.element?.initial_option).toMatchObject({ value: 'lora' });
    expect(optionValues(view, 'loraMethod')).toEqual(['lora', 'qlora']);
    expect(block(view, 'loraTargets')?.element?.initial_option).toMatchObject({ value: 'all-linear' });
    expect(block(view, 'loraPacking')?.element?.initial_options).toBeUndefined();
    const mine = jobStartView({
      providers: PROVIDERS,
      selected: 'gpu',
      metadata: '',
      prefill: { lora: { ...LORA_DEFAULTS, method: 'qlora', r: 64, packing: true }, host: 'a100-x2' },
    });
    expect(block(mine, 'loraR')?.element?.initial_value).toBe('64');
    expect(block(mine, 'loraMethod')?.element?.initial_option).toMatchObject({ value: 'qlora' });
    expect(block(mine, 'loraPacking')?.element?.initial_options).toHaveLength(1);
    expect(block(mine, 'host')?.element?.initial_option).toMatchObject({ value: 'a100-x2' });
  });

  it('leaves the hosted form exactly as it was for OpenAI', () => {
    const openai = jobStartView({ providers: PROVIDERS, selected: 'openai', metadata: '' });
    expect(blocks(openai).map((b) => b.block_id)).toEqual([
      'provider',
      modelBlockId('openai'),
      'file',
      'fileId',
      'validationFileId',
      'suffix',
      'method',
      'epochs',
      'batchSize',
      'lrMultiplier',
      'channel',
    ]);
  });
});

type Values = Record<string, Record<string, Record<string, unknown>>>;
const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
const radio = (value: string) => ({ value: { type: 'radio_buttons', selected_option: { value } } });

function gpuValues(over: Record<string, string | undefined | boolean | object> = {}): Values {
  const v: Values = {
    provider: { [JOB_PROVIDER_ACTION_ID]: { type: 'static_select', selected_option: { value: 'gpu' } } },
    host: { value: { type: 'static_select', selected_option: { value: (over.host as string) ?? 'auto' } } },
    baseModel: text('baseModel' in over ? (over.baseModel as string | undefined) : llama.id),
    file: {
      value: {
        type: 'file_input',
        files:
          over.upload === false
            ? []
            : [
                (over.upload as object) ?? {
                  id: 'F1',
                  name: 'train.jsonl',
                  size: 1200,
                  url_private_download: 'https://files/x',
                },
              ],
      },
    },
    loraMethod: radio((over.method as string) ?? 'lora'),
    loraTargets: radio((over.targets as string) ?? 'all-linear'),
    loraPacking: { value: { type: 'checkboxes', selected_options: over.packing ? [{ value: 'packing' }] : [] } },
    channel: { value: { type: 'conversations_select', selected_conversation: 'C0CHAN' } },
  };
  for (const f of LORA_NUMBER_FIELDS) v[f.block] = text((over[f.key] as string | undefined) ?? String(f.default));
  return v;
}
const parse = (over: Record<string, string | undefined | boolean | object> = {}) =>
  parseJobStart(gpuValues(over) as never, PROVIDERS);
const errorsOf = (over: Record<string, string | undefined | boolean | object>) => {
  const result = parse(over);
  return result.ok ? {} : result.errors;
};

describe('reading the LoRA job form', () => {
  it('reads a request with the LoRA settings, the host and the upload; hosted knobs stay auto', () => {
    expect(
      parse({ host: 'h100-1', method: 'qlora', r: '32', learningRate: '1e-4', epochs: '0.5', packing: true }),
    ).toEqual({
      ok: true,
      request: {
        provider: 'gpu',
        channelId: 'C0CHAN',
        model: llama.id,
        method: 'supervised',
        hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
        lora: { ...LORA_DEFAULTS, method: 'qlora', r: 32, learningRate: 0.0001, epochs: 0.5, packing: true },
        host: 'h100-1',
        trainingFileName: 'train.jsonl',
        uploadedFile: { id: 'F1', name: 'train.jsonl', size: 1200, url_private_download: 'https://files/x' },
      },
    });
  });

  it('leaves the host out for auto, and blank numbers are the defaults', () => {
    const blanks = Object.fromEntries(LORA_NUMBER_FIELDS.map((f) => [f.key, '']));
    const result = parse({ ...blanks, baseModel: '/srv/models/llama-8b' });
    expect(result.ok && result.request).toMatchObject({ model: '/srv/models/llama-8b', lora: LORA_DEFAULTS });
    expect(result.ok && 'host' in result.request).toBe(false);
  });

  it.each(LORA_NUMBER_FIELDS.map((f) => [f.key, f.block, f.integer ? `${f.max}.5` : String(f.max * 2)] as const))(
    'gives %s its own error when out of range',
    (key, blockId, bad) => {
      const errors = errorsOf({ [key]: bad });
      expect(Object.keys(errors)).toEqual([blockId]);
      expect(errors[blockId]).toMatch(/is a (whole )?number (from|above) .* \(default .*\)\.$/);
    },
  );

  it('gives every bad field its own error at once', () => {
    const errors = errorsOf({
      r: '0',
      alpha: '-1',
      dropout: '1',
      epochs: '0',
      learningRate: 'fast',
      batchSize: '0',
      gradientAccumulation: '9999',
      maxLength: '16',
      baseModel: 'llama',
    });
    expect(Object.keys(errors).sort()).toEqual(['baseModel', ...LORA_NUMBER_FIELDS.map((f) => f.block)].sort());
    expect(errors.loraR).toBe('LoRA rank (r) is a whole number from 1 to 1,024 (default 16).');
    expect(errors.loraLearningRate).toBe('Learning rate is a number above 0 and at most 1 (default 0.0002).');
    expect(errors.loraMaxLength).toBe(
      'Max sequence length (tokens) is a whole number from 32 to 1,048,576 (default 2,048).',
    );
  });

  it('refuses a base model that is neither a hub id nor an absolute folder', () => {
    expect(errorsOf({ baseModel: '' }).baseModel).toMatch(/^Give a base model/);
    expect(errorsOf({ baseModel: 'models/llama/8b' }).baseModel).toMatch(/neither a Hugging Face id/);
    expect(errorsOf({ baseModel: './llama' }).baseModel).toMatch(/must be absolute/);
  });

  it('refuses a host that is not configured, a method or target it does not know, and a missing upload', () => {
    expect(errorsOf({ host: 'ghost' })).toEqual({
      host: 'ghost is not one of the hosts configured here; choose another, or auto.',
    });
    expect(errorsOf({ method: 'full' })).toEqual({ loraMethod: 'Choose LoRA or QLoRA.' });
    expect(errorsOf({ targets: 'mlp' })).toEqual({ loraTargets: 'Choose all linear layers or attention only.' });
    expect(errorsOf({ upload: false })).toEqual({ file: 'Upload a training file.' });
    expect(errorsOf({ upload: { id: 'F1', name: 'train.csv' } })).toEqual({
      file: 'The training file must be a .jsonl file (one JSON example per line).',
    });
  });

  it('ignores a hosted file id typed before the provider was switched', () => {
    const v = { ...gpuValues(), fileId: text('file-abc'), suffix: text('bad suffix!'), epochs: text('99') };
    expect(parseJobStart(v as never, PROVIDERS).ok).toBe(true);
  });

  it('reads the typed model as the selection, so a re-render keeps it', () => {
    expect(jobStartSelection(gpuValues({ baseModel: '/models/x' }))).toEqual({ provider: 'gpu', model: '/models/x' });
    const openai = {
      provider: { [JOB_PROVIDER_ACTION_ID]: { type: 'static_select', selected_option: { value: 'gpu' } } },
      [modelBlockId('openai')]: {
        [JOB_MODEL_ACTION_ID]: { type: 'static_select', selected_option: { value: mini.id } },
      },
    };
    // Switching from OpenAI to the GPU hosts: the OpenAI model is not carried into the typed field.
    expect(jobStartSelection(openai)).toEqual({ provider: 'gpu' });
  });

  it('carries lora and host through the review metadata, checked again with the same schema, well under 3,000 chars', () => {
    const result = parse({ host: 'a100-x2', baseModel: `/srv/${'m'.repeat(500)}` });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const meta = { request: { ...result.request, billableTokens: 123_456 }, estimateUsd: 4.2, needsApproval: false };
    const encoded = encodeReviewMetadata(meta);
    expect(encoded.length).toBeLessThan(3000);
    expect(decodeReviewMetadata(encoded)).toEqual(meta);
    const tampered = (patch: object) =>
      encodeReviewMetadata({ ...meta, request: { ...meta.request, ...patch } as never });
    const problems: string[] = [];
    expect(
      decodeReviewMetadata(tampered({ lora: { ...LORA_DEFAULTS, r: 5000 } }), (p) => problems.push(p)),
    ).toBeUndefined();
    expect(decodeReviewMetadata(tampered({ lora: undefined }))).toBeUndefined(); // a path model without lora
    expect(decodeReviewMetadata(tampered({ host: 'bad host' }))).toBeUndefined();
    expect(decodeReviewMetadata(tampered({ method: 'dpo' }))).toBeUndefined();
    expect(decodeReviewMetadata(tampered({ trainingFileId: 'file-abc' }))).toBeUndefined();
    expect(problems).toEqual(['request.lora.r: too_big']);
  });
});
