import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import type { ValidationReport } from '../../src/data/report.ts';
import { reviewFacts } from '../../src/jobs/review.ts';
import { jobReviewView } from '../../src/slack/job-review-view.ts';
import type { JobRequest } from '../../src/store/types.ts';
import { textOf } from '../slack/job-fixture.ts';

const report = {
  ok: true,
  trainingTokens: 1_000_000,
  epochs: { value: 3, auto: true },
  validExamples: 100,
  warnings: [],
  totalErrors: 0,
} as unknown as ValidationReport;
const azure: JobRequest = {
  model: 'gpt-4.1-2025-04-14',
  method: 'supervised',
  trainingType: 'globalstandard',
  hyperparameters: { nEpochs: 2, batchSize: 'auto', learningRateMultiplier: 'auto' },
};
const view = (
  provider: 'azure' | 'together',
  request: JobRequest,
  facts: ReturnType<typeof reviewFacts>,
  maxJobUsd?: number,
) =>
  textOf(
    jobReviewView({
      request: { ...request, provider, channelId: 'C0CHAN' },
      providerLabel: provider,
      facts,
      ...(maxJobUsd !== undefined ? { maxJobUsd } : {}),
      metadata: '{}',
    }).blocks,
  );

describe('the review’s estimate', () => {
  it('says a placeholder rate next to the number, and in what the estimate rests on', () => {
    const facts = reviewFacts('azure', azure, report, CATALOGUE, { approvers: [] });
    expect(facts).toMatchObject({ estimateUsd: 4, estimatePlaceholder: true }); // 2M × $2.00
    expect(facts.assumptions).toMatch(/The \$2\/1M rate is a placeholder, not a published price/);
    expect(view('azure', azure, facts)).toContain('*Estimated cost: ≈ $4.00 (placeholder rate)*');
  });

  it('says a MAX_JOB_USD decision taken on a placeholder estimate is one, over the limit or under it', () => {
    const over = reviewFacts('azure', azure, report, CATALOGUE, { maxJobUsd: 3, approvers: ['U0BOSS'] });
    expect(over.needsApproval).toBe(true);
    expect(view('azure', azure, over, 3)).toContain(
      'This is over the $3.00 limit per job on a placeholder estimate, so it needs approval',
    );
    const under = reviewFacts('azure', azure, report, CATALOGUE, { maxJobUsd: 50, approvers: ['U0BOSS'] });
    expect(view('azure', azure, under, 50)).toContain('Under the $50.00 limit per job, but on a placeholder estimate');
  });

  it('marks nothing on a published rate, and prices Together by its bracket', () => {
    const together: JobRequest = {
      ...azure,
      model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
      validationFileId: 'file-val',
      hyperparameters: { ...azure.hyperparameters, tuning: 'full', nEvals: 4 },
    };
    const facts = reviewFacts('together', together, report, CATALOGUE, { maxJobUsd: 50, approvers: [] });
    expect(facts.estimateUsd).toBe(1.08); // 2M × $0.54, full fine-tuning up to 16B
    expect(facts.estimatePlaceholder).toBeUndefined();
    expect(facts.assumptions).toMatch(/Each evaluation on the validation file is billed too/);
    const text = view('together', together, facts, 50);
    expect(text).toContain('*Estimated cost: $1.08*');
    expect(text).not.toContain('placeholder');
  });
});
