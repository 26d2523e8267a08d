import type { JobSpec, ModelInfo, ProviderCapabilities, ProviderError } from '../types.ts';

/** What the adapter was doing when a call failed: the same status means different things per call. */
export type Operation = 'upload' | 'create' | 'read' | 'cancel' | 'complete';

/** An HTTP failure from the SDK, reduced to what the mapping reads. `message` is already scrubbed. */
export interface ApiFailure {
  op: Operation;
  status: number;
  code?: string;
  param?: string;
  type?: string;
  message: string;
  requestId?: string;
  /** The file the call was about, for messages that name it. */
  fileId?: string;
}

/**
 * Where OpenAI and Azure OpenAI differ, and nothing else: the core adapter (core.ts) is the same
 * code for both, parameterised by one of these.
 */
export interface Dialect {
  id: 'openai' | 'azure';
  label: string;
  /** What the form and the messages offer for this provider. */
  capabilities: ProviderCapabilities;
  /** What to check when the provider refuses the credentials (401). */
  authHint: string;
  /** What to check when the credentials are valid but not allowed (403). */
  permissionHint: string;
  /** Whether the Uploads API (parts of ≤ 64 MB, up to 8 GB) exists for files above the plain limit. */
  resumableUploads: boolean;
  models: ModelInfo[];
  /** Throws a ProviderError (invalid_request) for a spec the provider would refuse, before any call. */
  checkSpec(spec: JobSpec): void;
  /** Fields the provider wants in the create body beyond OpenAI's. */
  createExtras(spec: JobSpec): Record<string, unknown>;
  /** The provider's own reading of a failure; undefined leaves it to the generic mapping. */
  explain(f: ApiFailure): ProviderError | undefined;
  /** A hint for a failed job's error that only this provider needs, checked before the shared ones. */
  jobErrorHint(code: string, message: string): string | undefined;
}
