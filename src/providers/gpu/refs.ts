import { ProviderError } from '../types.ts';
import { isJobId } from './shell.ts';

/**
 * The ids a GPU job carries outside the host: `gpu:<host>:<job id>`, for the training file (the
 * job folder it was copied into) and for the provider job (the same folder, once started). Host
 * names hold no colon (config/gpu.ts), job ids match JOB_ID, so the id parses back exactly.
 */

const HOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface GpuJobRef {
  host: string;
  jobId: string;
}

export function formatRef(host: string, jobId: string): string {
  return `gpu:${host}:${jobId}`;
}

/** The host and job id in `id`, or undefined when it is not one of ours. */
export function parseRef(id: string): GpuJobRef | undefined {
  const parts = id.split(':');
  if (parts.length !== 3 || parts[0] !== 'gpu') return undefined;
  const [, host = '', jobId = ''] = parts;
  return HOST.test(host) && isJobId(jobId) ? { host, jobId } : undefined;
}

/** As parseRef, but a ProviderError for anything else: ids come from our own store, so this is a bug or a mix-up. */
export function requireRef(id: string, what: string): GpuJobRef {
  const ref = parseRef(id);
  if (!ref) {
    throw new ProviderError('invalid_request', `${JSON.stringify(id)} is not a GPU ${what} id (gpu:<host>:<job id>).`, {
      hint: 'Start the job again with /finetune start and the GPU provider.',
    });
  }
  return ref;
}
