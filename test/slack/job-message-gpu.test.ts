import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import { KNOWN_CAPABILITIES } from '../../src/slack/job-choice.ts';
import { gpuUsd } from '../../src/slack/job-gpu.ts';
import { JOB_CANCEL_ACTION_ID, JOB_REFRESH_ACTION_ID, JOB_TRY_ACTION_ID } from '../../src/slack/job-ids.ts';
import { cancelBillingNote, jobMessage, shortStatus } from '../../src/slack/job-message.ts';
import { finishedReply, stalledReply } from '../../src/slack/job-thread.ts';
import { LORA_DEFAULTS } from '../../src/slack/lora-settings.ts';
import type { JobPhase, JobRecord } from '../../src/store/types.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { buttons, makeJob, NOW, textOf } from './job-fixture.ts';

const GiB = 1024 ** 3;
const ctx = { now: NOW, providerLabel: 'Your GPUs (LoRA)', capabilities: KNOWN_CAPABILITIES.gpu, prices: CATALOGUE };

function gpuJob(over: Partial<JobRecord> = {}, progress: Record<string, unknown> = {}): JobRecord {
  const base = makeJob();
  return makeJob({
    provider: 'gpu',
    providerJobId: 'h100-1:ft-7k2m9q',
    estimateUsd: 4.49,
    request: {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      method: 'supervised',
      trainingFileName: 'tickets.jsonl',
      hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
      lora: { ...LORA_DEFAULTS, epochs: 5 },
    },
    progress: {
      ...base.progress,
      validLoss: undefined,
      trainedTokens: undefined,
      tokensPerSecond: 9_312.4,
      gpuMemoryBytes: 18.2 * GiB,
      host: 'h100-1',
      gpuSeconds: 1440,
      gpuType: 'H100-80GB',
      ...progress,
    } as JobRecord['progress'],
    ...over,
  });
}

const PHASES: JobPhase[] = [
  'awaiting_approval',
  'rejected',
  'starting',
  'validating',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
];

describe('the job message of a LoRA job on a GPU host', () => {
  it.each(PHASES)('stays within Slack’s limits when %s', (phase) => {
    const message = jobMessage(
      gpuJob({ phase, fineTunedModel: phase === 'succeeded' ? '/srv/jobs/ft-7k2m9q/output/adapter' : null }),
      ctx,
    );
    expect(checkMessage(message)).toEqual([]);
    expect(message.text).toMatch(
      /^Fine-tune ft-7k2m9q \(meta-llama\/Llama-3\.1-8B-Instruct on Your GPUs \(LoRA\)\): \w/,
    );
  });

  it('shows step/total, loss, tokens/s, GPU memory, ETA, the host and the cost so far from GPU-seconds × rate', () => {
    const text = textOf(jobMessage(gpuJob(), ctx).blocks);
    expect(text).toContain(':runner: *Running*: step 480 of 1,000\n▰▰▰▰▰▱▱▱▱▱ 48%');
    expect(text).toContain('*Train loss*\n0.4213');
    expect(text).toContain('*Throughput*\n9,312 tokens/s');
    expect(text).toContain('*GPU memory*\n18.2 GiB');
    expect(text).toContain('*ETA*\nin 12 min');
    expect(text).toContain('*Host*\n`h100-1` (H100-80GB)');
    // 1,440 GPU-seconds = 0.4 GPU-hours at $3.00.
    expect(text).toContain('*Cost*\n$1.20 so far (0.4 GPU-hours) · $4.49 estimated');
    expect(text).toContain('*Method*\nLoRA · r 16 · alpha 32');
    expect(gpuUsd(1440, 3)).toBe(1.2);
  });

  it('prices GPU time from the hosts when the progress names only the host, and from the record when it has the cost', () => {
    const noType = gpuJob({}, { gpuType: undefined });
    const hosts = [{ name: 'h100-1', gpuType: 'H100-80GB', gpuCount: 1 }];
    expect(textOf(jobMessage(noType, { ...ctx, hosts }).blocks)).toContain('*Cost*\n$1.20 so far');
    expect(textOf(jobMessage(noType, { ...ctx, prices: undefined }).blocks)).toContain(
      '*Cost*\n$4.49 estimated; GPU time not priced yet (0.4 GPU-hours)',
    );
    expect(textOf(jobMessage(gpuJob({ actualUsd: 1.5 }), { ...ctx, prices: undefined }).blocks)).toContain(
      '*Cost*\n$1.50 so far',
    );
  });

  it('summarises a finished job: the adapter path and size, GPU-hours, tokens/s, actual against the estimate; no Try it or Deploy', () => {
    const done = gpuJob(
      {
        phase: 'succeeded',
        fineTunedModel: '/srv/jobs/ft-7k2m9q/output/adapter',
        finishedAt: '2026-11-24T12:35:00.000Z',
      },
      {
        gpuSeconds: 5040,
        trainedTokens: 50_000_000,
        adapter: { path: '/srv/jobs/ft-7k2m9q/output/adapter', bytes: 168 * 1024 * 1024 },
      },
    );
    const message = jobMessage(done, ctx);
    const text = textOf(message.blocks);
    expect(text).toContain(
      '*Succeeded* in 1 h 30 min.\nAdapter: `/srv/jobs/ft-7k2m9q/output/adapter` (168 MiB) on `h100-1`',
    );
    expect(text).toContain('*GPU-hours*\n1.4');
    expect(text).toContain('*Cost*\n$4.20 (1.4 GPU-hours) · estimate $4.49 ($0.29 under)');
    expect(buttons(message.blocks)).toEqual([]);
    expect(shortStatus(done, NOW)).toBe('succeeded: the adapter is ready');
    expect(finishedReply(done, ctx).text).toBe(
      ':white_check_mark: <@U0ASKER> The adapter is ready: `/srv/jobs/ft-7k2m9q/output/adapter` (168 MiB) on `h100-1`. ' +
        '50,000,000 tokens trained · 1.4 GPU-hours · 9,312 tokens/s. Cost $4.20 ($0.29 under the $4.49 estimate).',
    );
  });

  it('chooses the buttons from the capabilities, not the provider’s name', () => {
    const done = gpuJob({ phase: 'succeeded', fineTunedModel: '/srv/adapter' });
    expect(
      buttons(jobMessage(done, { ...ctx, capabilities: { ...KNOWN_CAPABILITIES.gpu, tryIt: true } }).blocks).map(
        (b) => b.action_id,
      ),
    ).toEqual([JOB_TRY_ACTION_ID]);
    // Without the provider's capabilities, what the provider is known to offer: no Try it on a GPU host.
    expect(buttons(jobMessage(done, { now: NOW, providerLabel: 'GPU host' }).blocks)).toEqual([]);
    const running = buttons(jobMessage(gpuJob(), ctx).blocks);
    expect(running.map((b) => b.action_id)).toEqual([JOB_CANCEL_ACTION_ID, JOB_REFRESH_ACTION_ID]);
    expect(JSON.stringify(running[0]?.confirm)).toContain('the adapter trained so far is kept there');
  });

  it('says what cancel keeps and what GPU time costs', () => {
    expect(cancelBillingNote(gpuJob())).toBe(
      'Training stops at the next step on the GPU host; the adapter trained so far is kept there. GPU time used stays spent.',
    );
    expect(cancelBillingNote(gpuJob({ phase: 'queued' }))).toBe(
      'The job is taken off the host before training starts; no GPU time is spent.',
    );
    const cancelled = gpuJob(
      { phase: 'cancelled', fineTunedModel: null },
      { adapter: { path: '/srv/jobs/ft-7k2m9q/output/checkpoint-400', bytes: null } },
    );
    expect(finishedReply(cancelled, ctx).text).toBe(
      ':octagonal_sign: The job was cancelled. The adapter trained so far is kept: `/srv/jobs/ft-7k2m9q/output/checkpoint-400` on `h100-1`. GPU time used: $1.20.',
    );
    expect(textOf(jobMessage(cancelled, ctx).blocks)).toContain('*Cost*\n$1.20 of GPU time used (0.4 GPU-hours)');
    expect(finishedReply(gpuJob({ phase: 'cancelled' }, { gpuSeconds: undefined }), { prices: undefined }).text).toBe(
      ':octagonal_sign: The job was cancelled. No adapter was saved.',
    );
  });

  it('gives a queued job its place in line on its host', () => {
    const text = textOf(jobMessage(gpuJob({ phase: 'queued', providerStatus: 'queued:2' }), ctx).blocks);
    expect(text).toContain('number 2 in line for a slot on h100-1. Waiting costs no GPU time.');
  });

  it('speaks of hosts while starting, queued and stalled', () => {
    expect(textOf(jobMessage(gpuJob({ phase: 'starting' }, { host: undefined }), ctx).blocks)).toContain(
      'copying the training file to the host and starting the trainer',
    );
    const queued = textOf(
      jobMessage(gpuJob({ phase: 'queued' }, { host: undefined, gpuSeconds: undefined }), ctx).blocks,
    );
    expect(queued).toContain('training starts when a slot on a host frees up');
    expect(queued).toContain('*Host*\nauto: the first free host that fits');
    expect(queued).toContain('*Cost*\n$4.49 estimated in GPU time');
    expect(stalledReply(30, 'Your GPUs (LoRA)', true).text).toContain('`events.jsonl` in the job’s folder');
  });

  it('leaves the hosted jobs’ messages as they were', () => {
    const openai = jobMessage(makeJob({ phase: 'succeeded', fineTunedModel: 'ft:x' }), {
      now: NOW,
      providerLabel: 'OpenAI',
    });
    expect(buttons(openai.blocks).map((b) => b.text)).toEqual(['Try it']);
    expect(textOf(openai.blocks)).not.toContain('*Host*');
  });
});
