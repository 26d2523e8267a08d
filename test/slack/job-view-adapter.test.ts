import { describe, expect, it } from 'vitest';
import { FIREWORKS_CAPABILITIES } from '../../src/providers/fireworks/capabilities.ts';
import { TOGETHER_CAPABILITIES } from '../../src/providers/together/capabilities.ts';
import type { ModelInfo } from '../../src/providers/types.ts';
import { JOB_MODEL_ACTION_ID, JOB_PROVIDER_ACTION_ID, modelBlockId } from '../../src/slack/job-ids.ts';
import { decodeReviewMetadata, encodeReviewMetadata } from '../../src/slack/job-review-metadata.ts';
import { type JobProviderChoice, jobStartView, parseJobStart } from '../../src/slack/job-view.ts';
import { hostedKnobWords } from '../../src/slack/job-view-adapter.ts';
import { checkView } from '../support/slack-limits.ts';

const llama: ModelInfo = {
  id: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
  family: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
  label: 'Llama 3.1 8B Instruct',
  methods: ['supervised', 'dpo'],
};
const fwLlama: ModelInfo = {
  id: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
  family: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
  label: 'Llama 3.1 8B Instruct',
  methods: ['supervised'],
};
const PROVIDERS: JobProviderChoice[] = [
  { id: 'together', label: 'Together AI', models: [llama], capabilities: TOGETHER_CAPABILITIES },
  { id: 'fireworks', label: 'Fireworks AI', models: [fwLlama], capabilities: FIREWORKS_CAPABILITIES },
];

type Blocks = { type: string; block_id?: string; element?: Record<string, unknown>; label?: { text: string } }[];
const ids = (view: { blocks: unknown[] }) => (view.blocks as Blocks).map((b) => b.block_id);
const block = (view: { blocks: unknown[] }, id: string) => (view.blocks as Blocks).find((b) => b.block_id === id);

function values(provider: string, model: string, over: Record<string, string | undefined> = {}) {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
  return {
    provider: { [JOB_PROVIDER_ACTION_ID]: { type: 'static_select', selected_option: { value: provider } } },
    [modelBlockId(provider)]: { [JOB_MODEL_ACTION_ID]: { type: 'static_select', selected_option: { value: model } } },
    file: { value: { type: 'file_input', files: [{ id: 'F1', name: 'train.jsonl', size: 900 }] } },
    fileId: text(over.fileId),
    validationFileId: text(over.validationFileId),
    suffix: text(over.suffix),
    method: { value: { type: 'radio_buttons', selected_option: { value: over.method ?? 'supervised' } } },
    epochs: text(over.epochs),
    batchSize: text(over.batchSize),
    learningRate: text(over.learningRate),
    lrMultiplier: text(over.lr),
    adapter: { value: { type: 'static_select', selected_option: over.adapter ? { value: over.adapter } : null } },
    checkpoints: text(over.checkpoints),
    evaluations: text(over.evaluations),
    channel: { value: { type: 'conversations_select', selected_conversation: 'C0CHAN' } },
  };
}

describe('the start form for Together AI and Fireworks AI', () => {
  it('asks Together for the learning rate itself, the adapter, checkpoints and evaluations — no multiplier, no tier', () => {
    const view = jobStartView({ providers: PROVIDERS, selected: 'together', metadata: '' });
    expect(checkView(view)).toEqual([]);
    expect(ids(view)).toEqual(
      expect.arrayContaining(['learningRate', 'adapter', 'checkpoints', 'evaluations', 'validationFileId', 'suffix']),
    );
    // Uploads only: Together's jobs carry no id of ours, so the job's own upload is how a retried start finds it.
    expect(ids(view)).not.toContain('fileId');
    expect(ids(view)).not.toContain('lrMultiplier');
    expect(ids(view)).not.toContain('trainingType');
    const options = ((block(view, 'adapter')?.element?.options ?? []) as { value: string }[]).map((o) => o.value);
    expect(options).toEqual(['8', '16', '32', '64', 'full']);
  });

  it('asks Fireworks for an upload only, a rank but no full tuning, and no suffix', () => {
    const view = jobStartView({ providers: PROVIDERS, selected: 'fireworks', metadata: '' });
    expect(checkView(view)).toEqual([]);
    expect(ids(view)).not.toContain('fileId');
    expect(ids(view)).not.toContain('suffix');
    expect(ids(view)).not.toContain('checkpoints');
    const options = ((block(view, 'adapter')?.element?.options ?? []) as { value: string }[]).map((o) => o.value);
    expect(options).not.toContain('full');
  });

  it('reads a Together request: rank, learning rate, checkpoints, evaluations with a validation file', () => {
    const result = parseJobStart(
      values('together', llama.id, {
        adapter: '32',
        learningRate: '2e-4',
        checkpoints: '3',
        evaluations: '5',
        validationFileId: 'file-1234-abcd',
        epochs: '2',
      }) as never,
      PROVIDERS,
    );
    expect(result).toMatchObject({
      ok: true,
      request: {
        provider: 'together',
        hyperparameters: {
          nEpochs: 2,
          learningRateMultiplier: 'auto',
          learningRate: 0.0002,
          tuning: 'lora',
          loraRank: 32,
          nCheckpoints: 3,
          nEvals: 5,
        },
      },
    });
    // The review carries it in private_metadata and reads it back the same.
    if (!result.ok) throw new Error('expected ok');
    const problems: string[] = [];
    const back = decodeReviewMetadata(
      encodeReviewMetadata({ request: result.request, estimateUsd: 1.5, needsApproval: false }),
      (p) => problems.push(p),
    );
    expect(problems).toEqual([]);
    expect(back).toMatchObject({ request: { hyperparameters: { loraRank: 32, nEvals: 5 } } });
  });

  it('reads full fine-tuning and DPO for Together', () => {
    const result = parseJobStart(values('together', llama.id, { adapter: 'full', method: 'dpo' }) as never, PROVIDERS);
    expect(result).toMatchObject({ ok: true, request: { method: 'dpo', hyperparameters: { tuning: 'full' } } });
  });

  it('shows each bad value where it was typed, and nothing is accepted', () => {
    const result = parseJobStart(
      values('together', llama.id, { learningRate: '0.5', checkpoints: '0', evaluations: '3' }) as never,
      PROVIDERS,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.learningRate).toMatch(/at most 0.01/);
    expect(result.errors.checkpoints).toMatch(/from 1 to 20/);
    expect(result.errors.evaluations).toMatch(/validation file/);
  });

  it('refuses a file id for Fireworks (uploads only) and a rank it does not offer', () => {
    const bad = parseJobStart(values('fireworks', fwLlama.id, { adapter: '128' }) as never, PROVIDERS);
    expect(bad).toMatchObject({ ok: false, errors: { adapter: expect.stringMatching(/LoRA rank/) } });
    const ok = parseJobStart(
      values('fireworks', fwLlama.id, { fileId: 'file-xyz', suffix: 'ignored' }) as never,
      PROVIDERS,
    );
    expect(ok).toMatchObject({ ok: true, request: { uploadedFile: { id: 'F1' }, hyperparameters: { loraRank: 4 } } });
    if (ok.ok) {
      expect(ok.request.trainingFileId).toBeUndefined();
      expect(ok.request.suffix).toBeUndefined();
    }
  });

  it('says the knobs in one line, as each provider was asked', () => {
    expect(
      hostedKnobWords('supervised', {
        nEpochs: 2,
        batchSize: 'auto',
        learningRateMultiplier: 'auto',
        learningRate: 0.0001,
        tuning: 'lora',
        loraRank: 16,
        nEvals: 2,
      }),
    ).toBe('Supervised · LoRA rank 16 · epochs 2 · batch auto · LR 0.0001 · 2 evaluations');
    expect(hostedKnobWords('dpo', { nEpochs: 'auto', batchSize: 4, learningRateMultiplier: 0.5 })).toBe(
      'DPO · epochs auto · batch 4 · LR × 0.5',
    );
  });
});
