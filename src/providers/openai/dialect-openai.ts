import { ProviderError } from '../types.ts';
import type { ApiFailure, Dialect } from './dialect.ts';
import { checkSuffix } from './job-spec.ts';
import { tunableModels } from './models.ts';

export const WIND_DOWN_HINT =
  'OpenAI is winding down self-serve fine-tuning: organizations that had never fine-tuned lost job creation on ' +
  '2026-05-07, inactive ones (no fine-tuned-model use in 60 days) on 2026-07-02, and from 2027-01-06 no one can ' +
  'start new jobs. Models already tuned keep working. Start this job on Azure OpenAI, Together AI, Fireworks AI or ' +
  'your own GPU hosts instead ' +
  '(if your organization still has access, check that the API key may write fine-tuning jobs).';

function explain(f: ApiFailure): ProviderError | undefined {
  // A refused create is, these days, almost always the wind-down; other calls' 403s are plain permissions.
  if (f.op === 'create' && (f.status === 403 || /permission denied/i.test(f.message))) {
    return new ProviderError('wind_down', `OpenAI refused to start the fine-tuning job: ${f.message}`, {
      hint: WIND_DOWN_HINT,
      status: f.status,
      ...(f.requestId ? { requestId: f.requestId } : {}),
    });
  }
  return undefined;
}

export const openaiDialect: Dialect = {
  id: 'openai',
  label: 'OpenAI',
  // Suffixes of up to 64 characters (shared/research/provider-apis.md §2).
  capabilities: { knobs: 'hosted', baseModel: 'list', tryIt: true, deploy: false, hosts: false, suffixMax: 64 },
  authHint:
    'Check OPENAI_API_KEY: it must be a current key, and OPENAI_ORG_ID / OPENAI_PROJECT_ID (when set) must be ones it belongs to.',
  permissionHint:
    'The API key is valid but not allowed to do this: check its permissions (restricted keys need fine-tuning and files write) and the project’s model access.',
  resumableUploads: true,
  models: tunableModels('openai'),
  checkSpec: (spec) => checkSuffix(spec, 64),
  createExtras: () => ({}),
  explain,
  jobErrorHint: () => undefined,
};
