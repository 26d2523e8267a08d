import type { Catalogue } from '../cost/catalogue.ts';
import type { ValidationReport } from '../data/report.ts';
import type { ProviderId } from '../providers/types.ts';
import type { JobReviewFacts } from '../slack/job-review-view.ts';
import type { JobRequest } from '../store/types.ts';
import { type ApprovalPolicy, needsApproval } from './approval.ts';
import { trainingUsd } from './job-cost.ts';

/** What the review step shows before anything is spent: the file's health, the estimate, who must approve. */
export type ReviewFacts = JobReviewFacts;

export function reviewFacts(
  provider: ProviderId,
  request: JobRequest,
  report: ValidationReport | undefined,
  prices: Catalogue,
  policy: ApprovalPolicy,
): ReviewFacts {
  let estimateUsd: number | null = null;
  let assumptions: string;
  if (report) {
    const epochs = estimateEpochs(request, report);
    const billable = report.trainingTokens * epochs;
    estimateUsd = trainingUsd(provider, request, billable, prices) ?? null;
    const epochWords = `${epochs} epoch${epochs === 1 ? '' : 's'}${typeof request.hyperparameters.nEpochs === 'number' ? '' : ' (auto, estimated)'}`;
    assumptions =
      estimateUsd === null
        ? `No training price for ${request.model} on ${provider} in the catalogue; set one in PRICES_FILE.`
        : `${billable.toLocaleString('en-US')} billable tokens (${report.trainingTokens.toLocaleString('en-US')} × ${epochWords}) at catalogue prices; the provider bills the tokens it actually trains.`;
  } else {
    assumptions = 'The file is already on the provider, so it was not read here: no estimate.';
  }
  const validation = report
    ? {
        examples: report.validExamples,
        billableTokens: report.trainingTokens * estimateEpochs(request, report),
        epochs: estimateEpochs(request, report),
        epochsAuto: typeof request.hyperparameters.nEpochs !== 'number',
        warnings: report.warnings.length,
        errors: report.totalErrors,
        ...(report.fatal ? { fatal: report.fatal } : {}),
      }
    : undefined;
  return {
    ...(validation ? { validation } : {}),
    estimateUsd,
    assumptions,
    needsApproval: needsApproval(policy, estimateUsd),
    approvers: policy.approvers,
    canStart: report === undefined || report.ok,
  };
}

function estimateEpochs(request: JobRequest, report: ValidationReport): number {
  return typeof request.hyperparameters.nEpochs === 'number' ? request.hyperparameters.nEpochs : report.epochs.value;
}
