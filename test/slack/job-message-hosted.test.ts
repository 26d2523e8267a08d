import { describe, expect, it } from 'vitest';
import { jobMessage, shortStatus } from '../../src/slack/job-message.ts';
import { finishedReply } from '../../src/slack/job-thread.ts';
import { jobCostText, jobLine, jobMessageLink } from '../../src/slack/jobs-list.ts';
import { checkMessage } from '../support/slack-limits.ts';
import { makeJob, NOW, textOf } from './job-fixture.ts';

const fireworks = { now: NOW, providerLabel: 'Fireworks AI' };
const together = { now: NOW, providerLabel: 'Together AI' };

describe('the job message for Together AI and Fireworks AI', () => {
  it('shows a percentage and the epoch where the provider counts no steps', () => {
    const job = makeJob({
      provider: 'fireworks',
      progress: { percent: 37.6, epoch: 1, trainLoss: 0.81 },
    });
    const message = jobMessage(job, fireworks);
    expect(checkMessage(message)).toEqual([]);
    const text = textOf(message.blocks);
    expect(text).toContain(':runner: *Running*: 37% done, epoch 1\n▰▰▰▰▱▱▱▱▱▱ 37%');
    expect(text).toContain('*Cost*\n≈ $0.65 so far · $1.75 estimated');
    expect(shortStatus(job, NOW)).toMatch(/^running, 37% done/);
  });

  it('prefers steps when the provider gives them, and names the adapter knobs it was asked for', () => {
    const job = makeJob({
      provider: 'together',
      request: {
        ...makeJob().request,
        model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
        suffix: undefined,
        hyperparameters: {
          nEpochs: 2,
          batchSize: 'auto',
          learningRateMultiplier: 'auto',
          learningRate: 0.0001,
          tuning: 'lora',
          loraRank: 16,
        },
      },
      progress: { step: 10, totalSteps: 40, percent: 90 },
    });
    const text = textOf(jobMessage(job, together).blocks);
    expect(text).toContain('step 10 of 40');
    expect(text).toContain('Supervised · LoRA rank 16 · epochs 2 · batch auto · LR 0.0001');
    expect(text).not.toContain('LR ×');
  });

  it('says an estimate waiting for approval rests on a placeholder rate', () => {
    const job = makeJob({
      phase: 'awaiting_approval',
      provider: 'azure',
      estimateUsd: 240,
      providerJobId: null,
      request: { ...makeJob().request, trainingType: 'globalstandard', estimatePlaceholder: true },
    });
    const text = textOf(
      jobMessage(job, { ...fireworks, providerLabel: 'Azure OpenAI', approvers: ['U0A'], maxJobUsd: 100 }).blocks,
    );
    expect(text).toContain('the estimate, ≈ $240.00 (placeholder rate), is over the $100.00 limit per job');
  });

  it('marks every mention of a cost that rests on a placeholder rate: the live cost, the list, the summary', () => {
    const request = { ...makeJob().request, trainingType: 'globalstandard' as const, estimatePlaceholder: true };
    const running = makeJob({ provider: 'azure', request });
    const azure = { now: NOW, providerLabel: 'Azure OpenAI' };
    expect(textOf(jobMessage(running, azure).blocks)).toContain('≈ $1.75 (placeholder rate) estimated');
    expect(jobCostText(running)).toBe('≈ $1.75 (placeholder rate) est.');

    const done = makeJob({
      provider: 'azure',
      request,
      phase: 'succeeded',
      fineTunedModel: 'gpt-4.1-mini-2025-04-14.ft-abc',
      actualUsd: 1.62,
      progress: { ...makeJob().progress, costPlaceholder: true },
    });
    expect(textOf(jobMessage(done, azure).blocks)).toContain(
      '≈ $1.62 (placeholder rate) · estimate ≈ $1.75 (placeholder rate)',
    );
    expect(finishedReply(done).text).toContain('Cost ≈ $1.62 (placeholder rate)');
    expect(jobCostText(done)).toBe('≈ $1.62 (placeholder rate)');
    // Not on a placeholder: plain figures.
    expect(jobCostText(makeJob({ actualUsd: 2 }))).toBe('$2.00');
  });

  it('names Azure’s training tier as Azure does', () => {
    const job = makeJob({ provider: 'azure', request: { ...makeJob().request, trainingType: 'globalstandard' } });
    const text = textOf(jobMessage(job, { now: NOW, providerLabel: 'Azure OpenAI' }).blocks);
    expect(text).toContain('Azure OpenAI · Global Standard tier');
    expect(text).not.toContain('globalstandard');
  });

  it('lists a job waiting for approval as requested, not started; a running one by its start', () => {
    const waiting = makeJob({ phase: 'awaiting_approval', startedAt: null, providerJobId: null });
    const line = jobLine(waiting, { now: NOW });
    expect(line).toContain('waiting for approval · requested ');
    expect(line).not.toContain('started');
    const running = makeJob({ startedAt: '2026-11-24T11:00:00.000Z' });
    expect(jobLine(running, { now: NOW })).toMatch(/ · started <!date\^/);
  });

  it('links each listed job to its message when the workspace URL is known', () => {
    const job = makeJob({ channelId: 'C0JOBS', messageTs: '1700000000.000100' });
    expect(jobMessageLink(job, 'https://acme.slack.com/')).toBe(
      'https://acme.slack.com/archives/C0JOBS/p1700000000000100',
    );
    expect(jobLine(job, { now: NOW, workspaceUrl: 'https://acme.slack.com/' })).toContain(
      `*<https://acme.slack.com/archives/C0JOBS/p1700000000000100|${job.id}>*`,
    );
    // No message yet, or no URL: the id alone.
    expect(jobLine(makeJob({ messageTs: null }), { now: NOW, workspaceUrl: 'https://acme.slack.com/' })).not.toContain(
      '<https',
    );
    expect(jobMessageLink(job, 'javascript:alert(1)')).toBeUndefined();
  });
});
