import { describe, expect, it } from 'vitest';
import { azureDialect } from '../../../src/providers/azure/dialect.ts';
import { openaiDialect } from '../../../src/providers/openai/dialect-openai.ts';
import {
  eventLevel,
  toCheckpoint,
  toEvent,
  type WireCheckpoint,
  type WireEvent,
} from '../../../src/providers/openai/map-events.ts';
import { jobState, toSnapshot, type WireJob } from '../../../src/providers/openai/map-job.ts';
import { fixture } from './support.ts';

const job = (name: string) => fixture<WireJob>(name);
const snap = (name: string) => toSnapshot(job(name), 'openai', openaiDialect);

describe('job → JobSnapshot', () => {
  it('maps a succeeded job with its resolved hyperparameters and billable tokens', () => {
    expect(snap('job-succeeded')).toEqual({
      ref: { provider: 'openai', id: 'ftjob-abc123' },
      state: 'succeeded',
      providerStatus: 'succeeded',
      model: 'gpt-4.1-mini-2025-04-14',
      fineTunedModel: 'ft:gpt-4.1-mini-2025-04-14:my-org:support-bot:7q8mpxmy',
      createdAt: '2024-07-23T20:00:00.000Z',
      finishedAt: '2024-07-23T21:00:00.000Z',
      estimatedFinish: null, // the spec's example sends 0
      trainedTokens: 1_234_567,
      hyperparameters: { nEpochs: 3, batchSize: 4, learningRateMultiplier: 1.8 },
      error: null,
    });
  });

  it('reads DPO hyperparameters (beta) from the method block and the estimated finish', () => {
    const s = snap('job-running');
    expect(s.state).toBe('running');
    expect(s.hyperparameters).toEqual({ nEpochs: 2, batchSize: 8, learningRateMultiplier: 2, beta: 0.1 });
    expect(s.estimatedFinish).toBe('2024-07-23T21:43:20.000Z');
  });

  it('treats `error: {}` on a job that has not failed as no error', () => {
    const s = snap('job-validating-empty-error');
    expect(s.state).toBe('validating');
    expect(s.error).toBeNull();
    expect(s.hyperparameters).toBeUndefined(); // all auto
  });

  it('maps a failed job without hyperparameters, with a hint to validate the file', () => {
    const s = snap('job-failed-no-hyperparameters');
    expect(s.state).toBe('failed');
    expect(s.hyperparameters).toBeUndefined();
    expect(s.error).toMatchObject({ code: 'invalid_training_file', message: expect.stringContaining('Line 12') });
    expect(s.error?.hint).toContain('/finetune validate');
  });

  it('explains a post-training safety eval failure: data safety checks and the moderation API', () => {
    const s = snap('job-failed-moderation');
    expect(s.error?.hint).toMatch(/safety checks/);
    expect(s.error?.hint).toMatch(/moderation API/);
  });

  it('gives a failed job with no error a message anyway', () => {
    const s = toSnapshot({ ...job('job-succeeded'), status: 'failed', error: null }, 'openai', openaiDialect);
    expect(s.error).toMatchObject({ code: 'unknown', message: expect.stringContaining('failed') });
  });

  it('keeps `paused` as the provider word and reads it as running', () => {
    const s = snap('job-paused');
    expect([s.state, s.providerStatus]).toEqual(['running', 'paused']);
  });

  it('maps Azure’s pending job with null organization and result files, ignoring its -1 defaults', () => {
    const s = toSnapshot(job('job-azure-pending'), 'azure', azureDialect('globalstandard'));
    expect(s).toMatchObject({ state: 'queued', providerStatus: 'pending', ref: { provider: 'azure' } });
    expect(s.hyperparameters).toEqual({ learningRateMultiplier: 1 });
  });

  it('hints at region or training type when Azure says the base model cannot be tuned', () => {
    const failed = {
      ...job('job-azure-pending'),
      status: 'failed',
      error: { code: 'invalidPayload', message: 'The specified base model does not support fine-tuning.', param: null },
    };
    expect(toSnapshot(failed, 'azure', azureDialect('globalstandard')).error?.hint).toMatch(/region|training type/);
  });
});

describe('status words', () => {
  it.each([
    ['validating_files', 'validating'],
    ['queued', 'queued'],
    ['pending', 'queued'],
    ['created', 'queued'],
    ['running', 'running'],
    ['paused', 'running'],
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
    ['cancelled', 'cancelled'],
    ['Canceled', 'cancelled'],
    ['something_new', 'queued'],
  ])('%s → %s', (word, state) => {
    expect(jobState(word)).toBe(state);
  });
});

describe('events and checkpoints', () => {
  const events = fixture<{ data: WireEvent[] }>('events-page').data;

  it('turns metric events into step metrics', () => {
    expect(toEvent(events[0] as WireEvent)).toEqual({
      id: 'ftevent-005',
      at: '2024-07-23T20:02:30.000Z',
      level: 'info',
      message: 'Step 3/100: training loss=1.10, validation loss=1.30',
      metrics: { step: 3, totalSteps: 100, trainLoss: 1.1, validLoss: 1.3, trainAccuracy: 0.71, validAccuracy: 0.69 },
    });
  });

  it('reads warn and warning as warning, and leaves metrics off plain messages', () => {
    expect(toEvent(events[2] as WireEvent)).toMatchObject({ level: 'warning' });
    expect(toEvent(events[2] as WireEvent).metrics).toBeUndefined();
    expect([eventLevel('warn'), eventLevel('warning'), eventLevel('error'), eventLevel(undefined)]).toEqual([
      'warning',
      'warning',
      'error',
      'info',
    ]);
  });

  it('drops non-numeric metric values instead of charting them', () => {
    const e = {
      id: 'e',
      created_at: 1,
      level: 'info',
      message: '',
      type: 'metrics',
      data: { step: 4, train_loss: null },
    };
    expect(toEvent(e).metrics).toEqual({ step: 4 });
  });

  it('maps checkpoints, taking the step from step_number when the metrics lack it', () => {
    const [last] = fixture<{ data: WireCheckpoint[] }>('checkpoints-page').data;
    expect(toCheckpoint(last as WireCheckpoint)).toEqual({
      id: 'ftckpt_zc4Q7MP6XxulcVzj4MZdwsAB',
      model: 'ft:gpt-4o-mini-2024-07-18:my-org:custom-suffix:96olL566:ckpt-step-2000',
      step: 2000,
      at: '2024-07-23T20:01:07.000Z',
      metrics: { step: 2000, fullValidLoss: 0.134 },
    });
  });
});
