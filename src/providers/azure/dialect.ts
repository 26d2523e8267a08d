import type { ApiFailure, Dialect } from '../openai/dialect.ts';
import { checkSuffix } from '../openai/job-spec.ts';
import { tunableModels } from '../openai/models.ts';
import { type JobSpec, type ProviderCapabilities, ProviderError } from '../types.ts';

/** Azure's names for the training tiers, as the create body's `trainingType` takes them. */
export type AzureTrainingType = 'standard' | 'globalstandard' | 'developerTier';

const TRAINING_TYPES: Record<NonNullable<JobSpec['trainingType']>, AzureTrainingType> = {
  standard: 'standard',
  globalstandard: 'globalstandard',
  developer: 'developerTier',
};

const UNSUPPORTED_MODEL = /does not support fine-?tuning/i;
const UNSUPPORTED_MODEL_HINT =
  'Azure says this when the model cannot be tuned in this resource’s region or with this training type, not ' +
  'only for models that cannot be tuned at all. Try Global training, or a resource in North Central US or ' +
  'Sweden Central for Standard training, and check the model is in Azure’s fine-tuning table.';
const ONE_JOB_HINT =
  'An Azure OpenAI resource trains one job at a time and queues at most 20: wait for the running job to ' +
  'finish (or cancel it), or start this one on another resource.';
const CAPACITY = /running|concurren|simultaneous|at a time|active (fine-?tuning )?job|queue|limit/i;

function explain(f: ApiFailure): ProviderError | undefined {
  const meta = { status: f.status, ...(f.requestId ? { requestId: f.requestId } : {}) };
  if (UNSUPPORTED_MODEL.test(f.message)) {
    return new ProviderError('invalid_request', `Azure OpenAI refused the base model: ${f.message}`, {
      hint: UNSUPPORTED_MODEL_HINT,
      ...meta,
    });
  }
  const daily = f.code === 'daily_rate_limit_exceeded';
  if (f.op === 'create' && !daily && (f.status === 409 || (f.status === 429 && CAPACITY.test(f.message)))) {
    return new ProviderError('rate_limit', `Azure OpenAI cannot take another job on this resource now: ${f.message}`, {
      hint: ONE_JOB_HINT,
      retryable: true,
      ...meta,
    });
  }
  if (f.op === 'complete' && f.status === 404) {
    return new ProviderError('not_found', `Azure OpenAI has no deployment by that name: ${f.message}`, {
      hint: 'On Azure a tuned model answers only once it is deployed: deploy it first, then try it by its deployment name.',
      ...meta,
    });
  }
  return undefined;
}

/** What Azure OpenAI offers the form: OpenAI's knobs, its three training tiers, deployments from Slack. */
export const AZURE_CAPABILITIES: ProviderCapabilities = {
  knobs: 'hosted',
  baseModel: 'list',
  tryIt: true,
  // Azure answers through the deployment the Deploy button made, not through the model id.
  tryItVia: 'deployment',
  deploy: true,
  hosts: false,
  suffixMax: 40,
  trainingTiers: ['globalstandard', 'standard', 'developer'],
};

export function azureDialect(defaultTrainingType: AzureTrainingType): Dialect {
  return {
    id: 'azure',
    label: 'Azure OpenAI',
    capabilities: AZURE_CAPABILITIES,
    authHint:
      'Check AZURE_OPENAI_API_KEY (a key of this resource) and AZURE_OPENAI_ENDPOINT; without a key, check the ' +
      'Microsoft Entra ID credentials (AZURE_TENANT_ID, AZURE_CLIENT_ID, …) can get a token.',
    permissionHint:
      'The identity is valid but lacks a role on this resource: give it "Cognitive Services OpenAI Contributor" ' +
      '(fine-tuning needs it; "User" only reads), or check the resource’s network rules.',
    // Azure documents files up to 512 MB and no Uploads API.
    resumableUploads: false,
    models: tunableModels('azure'),
    checkSpec: (spec) => checkSuffix(spec, 40, /^[A-Za-z0-9_-]+$/),
    // Left out, Azure answers with a misleading "base model does not support fine-tuning".
    createExtras: (spec) => ({
      trainingType: spec.trainingType ? TRAINING_TYPES[spec.trainingType] : defaultTrainingType,
    }),
    explain,
    jobErrorHint: (code, message) =>
      UNSUPPORTED_MODEL.test(message) || UNSUPPORTED_MODEL.test(code) ? UNSUPPORTED_MODEL_HINT : undefined,
  };
}
