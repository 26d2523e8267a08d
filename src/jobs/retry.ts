import type { ProviderId } from '../providers/types.ts';
import type { JobRecord, JobRequest } from '../store/types.ts';

/**
 * What "Try again" fills the start form with: the failed job's provider, model and settings, and
 * a training file already at the provider when it named one. What was only for that run (its
 * upload from Slack, its billable count, its estimate's basis) is left out: the form asks for the
 * file again and the review estimates anew.
 */
export function retryPrefill(job: JobRecord): { provider: ProviderId; request: Partial<JobRequest> } {
  const {
    slackFile: _slackFile,
    uploadStartedAt: _uploadStartedAt,
    billableTokens: _billable,
    estimatePlaceholder: _placeholder,
    trainingFileName: _name,
    ...kept
  } = job.request;
  // A file the bot uploaded for that job (from Slack, so it has a name) is named after that job:
  // the new job uploads its own.
  const ownUpload = job.request.slackFile !== undefined || job.request.trainingFileName !== undefined;
  const { trainingFileId, ...rest } = kept;
  return { provider: job.provider, request: { ...rest, ...(trainingFileId && !ownUpload ? { trainingFileId } : {}) } };
}
