import { describe, expect, it } from 'vitest';
import { retryPrefill } from '../../src/jobs/retry.ts';
import type { JobError, LoraSettings } from '../../src/providers/types.ts';
import { jobStartView } from '../../src/slack/job-view.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import { makeJob } from '../slack/job-fixture.ts';
import { checkView } from '../support/slack-limits.ts';

/** "Try again" on a failed job: what the form is filled with, and what the failure's hint changed. */

const failed = (error: JobError, lora: Partial<LoraSettings> = {}) =>
  makeJob({
    provider: 'gpu',
    phase: 'failed',
    error,
    request: {
      model: 'Qwen/Qwen2.5-0.5B-Instruct',
      method: 'supervised',
      trainingFileName: 'support.jsonl',
      hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
      lora: { ...LORA_DEFAULTS, ...lora },
    },
  });
const oom: JobError = { code: 'cuda_oom', message: 'CUDA out of memory.', hint: 'Lower batch_size …' };

describe('Try again after a failure', () => {
  it('halves the batch and doubles the accumulation after the GPU ran out of memory, and says so', () => {
    const retry = retryPrefill(failed(oom, { batchSize: 8, gradientAccumulation: 2 }));
    expect(retry.request.lora).toMatchObject({ batchSize: 4, gradientAccumulation: 4, method: 'lora' });
    expect(retry.changes).toEqual([
      'Batch size 8 → 4 and gradient accumulation 2 → 4 (the same effective batch): the last run ran out of GPU memory.',
    ]);
  });

  it('moves to QLoRA once the batch is already 1', () => {
    const retry = retryPrefill(failed(oom, { batchSize: 1, method: 'lora' }));
    expect(retry.request.lora).toMatchObject({ batchSize: 1, method: 'qlora' });
    expect(retry.changes[0]).toContain('LoRA → QLoRA');
    // Already the smallest it can be: nothing left to change by itself.
    expect(retryPrefill(failed(oom, { batchSize: 1, method: 'qlora' })).changes).toEqual([]);
  });

  it('halves the learning rate after the loss became NaN', () => {
    const retry = retryPrefill(failed({ code: 'nan_loss', message: 'loss is NaN' }, { learningRate: 2e-4 }));
    expect(retry.request.lora?.learningRate).toBe(1e-4);
    expect(retry.changes[0]).toContain('Learning rate 0.0002 → 0.0001');
  });

  it('changes nothing for a failure a person has to fix (data, access), and leaves the failed job as it was', () => {
    const job = failed({ code: 'gated_model', message: 'Access to the model is restricted.' }, { batchSize: 8 });
    const before = structuredClone(job);
    const retry = retryPrefill(job);
    expect(retry.changes).toEqual([]);
    expect(retry.request.lora?.batchSize).toBe(8);
    expect(retryPrefill(failed(oom, { batchSize: 8 })).request.lora?.batchSize).toBe(4);
    expect(job).toEqual(before);
  });

  it('asks for a file the bot uploaded again, and keeps one already at the provider', () => {
    const uploaded = makeJob({ phase: 'failed', request: { ...makeJob().request, trainingFileId: 'file-abc' } });
    expect(retryPrefill(uploaded).request.trainingFileId).toBeUndefined();
    const named = makeJob({
      phase: 'failed',
      request: {
        model: 'gpt-4.1-mini-2025-04-14',
        method: 'supervised',
        trainingFileId: 'file-abc',
        hyperparameters: makeJob().request.hyperparameters,
      },
    });
    expect(retryPrefill(named).request.trainingFileId).toBe('file-abc');
    expect(retryPrefill(named).changes).toEqual([]);
  });

  it('shows the changes above the form, within Slack limits', () => {
    const retry = retryPrefill(failed(oom, { batchSize: 8, gradientAccumulation: 2 }));
    const view = jobStartView({
      providers: [{ id: 'gpu', label: 'GPU hosts', models: [], capabilities: undefined } as never],
      selected: 'gpu',
      prefill: retry.request,
      notes: retry.changes,
      metadata: '{}',
    });
    expect(checkView(view)).toEqual([]);
    expect(JSON.stringify(view.blocks[0])).toContain('Batch size 8 → 4');
    const field = (id: string) =>
      (view.blocks.find((b) => b.block_id === id) as { element?: { initial_value?: string } } | undefined)?.element;
    expect(field('loraBatchSize')?.initial_value).toBe('4');
    expect(field('loraGradientAccumulation')?.initial_value).toBe('4');
  });
});
