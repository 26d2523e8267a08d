import { describe, expect, it } from 'vitest';
import { JOB_REVIEW_CALLBACK_ID } from '../../src/slack/job-ids.ts';
import {
  type JobReviewInput,
  jobReviewFailedView,
  jobReviewView,
  jobReviewWorkingView,
} from '../../src/slack/job-review-view.ts';
import { checkView } from '../support/slack-limits.ts';
import { textOf } from './job-fixture.ts';

const input = (facts: Partial<JobReviewInput['facts']> = {}): JobReviewInput => ({
  request: {
    provider: 'openai',
    channelId: 'C0CHAN',
    model: 'gpt-4.1-mini-2025-04-14',
    method: 'supervised',
    trainingFileName: 'support <v2>.jsonl',
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
  },
  providerLabel: 'OpenAI',
  facts: {
    validation: { examples: 1200, billableTokens: 3_600_000, epochs: 3, epochsAuto: true, warnings: 2, errors: 0 },
    estimateUsd: 18,
    assumptions: '3,600,000 billable tokens (1,200,000 × 3 epochs (auto, estimated)) at catalogue prices.',
    needsApproval: false,
    approvers: [],
    canStart: true,
    ...facts,
  },
  maxJobUsd: 50,
  metadata: '{"v":1}',
});

describe('the job review step', () => {
  it('summarises the request, the file and the estimate, and offers Start job', () => {
    const view = jobReviewView(input());
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(JOB_REVIEW_CALLBACK_ID);
    expect(view.submit?.text).toBe('Start job');
    const text = textOf(view.blocks);
    expect(text).toContain('*`gpt-4.1-mini-2025-04-14`* on *OpenAI*');
    expect(text).toContain('Training file: support &lt;v2&gt;.jsonl · reports in <#C0CHAN>');
    expect(text).toContain(
      ':white_check_mark: *The file is ready*: 1,200 examples · 3,600,000 billable tokens (3 epochs, auto) · :warning: 2 warnings',
    );
    expect(text).toContain('*Estimated cost: $18.00*');
    expect(text).toContain('at catalogue prices.');
  });

  it('offers no Confirm while the file has errors, and says how to fix them', () => {
    const view = jobReviewView(
      input({ validation: { examples: 10, billableTokens: 100, warnings: 0, errors: 3 }, canStart: false }),
    );
    expect(checkView(view)).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(view.close?.text).toBe('Close');
    expect(textOf(view.blocks)).toContain(':x: *3 errors in the file.* Fix them and run `/finetune start` again');
  });

  it('asks for approval over the limit, naming the approvers', () => {
    const view = jobReviewView(input({ estimateUsd: 240, needsApproval: true, approvers: ['U0A', 'U0B'] }));
    expect(view.submit?.text).toBe('Ask for approval');
    expect(textOf(view.blocks)).toContain(
      'This is over the $50.00 limit per job, so it needs approval from <@U0A> or <@U0B>.',
    );
  });

  it('cannot start a job that needs approval when nobody may approve', () => {
    const view = jobReviewView(input({ estimateUsd: 240, needsApproval: true, approvers: [] }));
    expect(view.submit).toBeUndefined();
    expect(textOf(view.blocks)).toContain('no approvers are set (`APPROVER_USER_IDS`)');
  });

  it('says when the file was not read here (a provider file id)', () => {
    const view = jobReviewView(input({ validation: undefined, estimateUsd: null, assumptions: 'No estimate.' }));
    expect(textOf(view.blocks)).toContain('The file is already on the provider, so I did not check it here.');
    expect(textOf(view.blocks)).toContain('*Estimated cost: no estimate*');
  });

  it('has a working variant while the file is checked', () => {
    const view = jobReviewWorkingView(input());
    expect(checkView(view)).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(textOf(view.blocks)).toContain(':hourglass_flowing_sand: Checking support &lt;v2&gt;.jsonl');
  });

  it('says why the check could not run, with nothing to submit', () => {
    const view = jobReviewFailedView(input(), 'Slack would not give me <the file>.');
    expect(checkView(view)).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(textOf(view.blocks)).toContain(':x: I could not check the file: Slack would not give me &lt;the file&gt;.');
  });
});
