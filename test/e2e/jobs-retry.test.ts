import { describe, expect, it } from 'vitest';
import { JOB_RETRY_ACTION_ID, JOB_START_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import { blockAction, interactionBody } from '../support/slack-request.ts';
import { startJob, updates, useJobHarness } from './job-flow.ts';

/** A failed job offers "Try again": the start form, filled in from the failed job. */

const { h, openai } = useJobHarness();

describe('a failed job', () => {
  it('offers Try again, which opens the start form filled in from it', async () => {
    const { job } = await startJob(h, { epochs: '4', suffix: 'tickets2' });
    openai.advance(job.providerJobId as string, {
      status: 'failed',
      error: { code: 'invalid_training_file', message: 'Line 3 is not valid JSON.', param: 'training_file' },
      finished_at: Math.floor(h.clock.getTime() / 1000),
    });
    h.slack.reset();
    h.advance(31_000);
    await h.bot?.monitor.tick();
    const final = JSON.stringify(updates(h).at(-1)?.blocks);
    expect(final).toContain(JOB_RETRY_ACTION_ID);
    expect(final).toContain('Try again');

    h.slack.reset();
    const res = await h.post(
      interactionBody(blockAction({ actionId: JOB_RETRY_ACTION_ID, value: job.id, channelId: 'C0JOBS' })),
    );
    expect(res.status).toBe(200);
    const [open] = await h.slack.waitFor('views.open');
    const view = open?.args.view as unknown as {
      callback_id: string;
      blocks: Array<{ block_id?: string; element?: Record<string, unknown> }>;
    };
    expect(view.callback_id).toBe(JOB_START_CALLBACK_ID);
    const block = (id: string) => view.blocks.find((b) => b.block_id === id)?.element;
    expect(block('epochs')?.initial_value).toBe('4');
    expect(block('suffix')?.initial_value).toBe('tickets2');
    expect(block('channel')?.initial_conversation).toBe('C0JOBS');
    // The file was uploaded for that job: this one asks for it again.
    expect(block('fileId')?.initial_value).toBeUndefined();
  });

  it('applies what the failure calls for: a LoRA job that ran out of GPU memory retries with half the batch, and says so', async () => {
    const job = await h.withStore(async (s) => {
      const created = await s.createJob({
        teamId: 'T0001',
        channelId: 'C0JOBS',
        requestedBy: 'U0ASKER',
        provider: 'gpu',
        request: {
          model: 'Qwen/Qwen2.5-0.5B-Instruct',
          method: 'supervised',
          trainingFileName: 'tickets.jsonl',
          hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
          lora: { ...LORA_DEFAULTS, batchSize: 8, gradientAccumulation: 2 },
        },
        phase: 'starting',
        estimateUsd: null,
      });
      return s.updateJob(created.id, {
        phase: 'failed',
        error: { code: 'cuda_oom', message: 'CUDA out of memory.', hint: 'Lower batch_size.' },
      });
    });
    h.slack.reset();
    await h.post(
      interactionBody(blockAction({ actionId: JOB_RETRY_ACTION_ID, value: job?.id ?? '', channelId: 'C0JOBS' })),
    );
    const [open] = await h.slack.waitFor('views.open');
    expect(JSON.stringify(open?.args.view)).toContain(
      'Batch size 8 → 4 and gradient accumulation 2 → 4 (the same effective batch): the last run ran out of GPU memory.',
    );
  });
});
