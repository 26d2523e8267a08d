import { createHash } from 'node:crypto';
import { ProviderError } from '../types.ts';

/**
 * Fireworks names everything by resource path (`accounts/<account>/datasets/<id>`), and ids a
 * caller chooses follow Google's AIP-122: lowercase letters, digits and hyphens, a letter first,
 * at most 63 characters. Our names are derived from our job id, so each call can find again what
 * an earlier, interrupted call made: the dataset by its upload name, the job by our job id.
 */

const MAX_ID = 63;

/** Text as a resource id: lowercase, anything else a hyphen, no doubled or trailing hyphens. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The dataset id for an upload name (`uploadName(jobId, file)`): the slug, cut to fit, plus a short
 * hash of the exact name, so two names with the same slug (`a_b.jsonl`, `a-b.jsonl`) do not meet.
 * It starts with the job id's slug, which is what `discardUploads` looks for.
 */
export function datasetIdFor(uploadName: string): string {
  const hash = createHash('sha256').update(uploadName).digest('hex').slice(0, 8);
  let base = slug(uploadName).slice(0, MAX_ID - hash.length - 1);
  base = base.replace(/-+$/, '');
  if (!/^[a-z]/.test(base)) base = `d-${base}`.slice(0, MAX_ID - hash.length - 1).replace(/-+$/, '');
  return `${base}-${hash}`;
}

/** What every dataset made for our job `jobId` starts with. */
export function datasetPrefixFor(jobId: string): string {
  return `${slug(jobId)}-`;
}

/** The Fireworks job id for our job id (`ft-abc234` fits the rules as it is). */
export function jobIdFor(specId: string): string {
  const id = slug(specId).slice(0, MAX_ID).replace(/-+$/, '');
  if (!/^[a-z]/.test(id)) return `j-${id}`.slice(0, MAX_ID);
  return id;
}

/** The last segment of a resource name, or the id itself. */
export function lastSegment(name: string): string {
  return name.split('/').pop() ?? name;
}

export interface Names {
  account: string;
  dataset(idOrName: string): string;
  job(idOrName: string): string;
  model(id: string): string;
}

export function namesFor(accountId: string): Names {
  const account = `accounts/${accountId}`;
  return {
    account,
    // A file id from our own FileRef is already the full name; a bare id is one in our account.
    dataset: (idOrName) => (idOrName.includes('/') ? idOrName : `${account}/datasets/${idOrName}`),
    job: (idOrName) => `${account}/supervisedFineTuningJobs/${lastSegment(idOrName)}`,
    model: (id) => `${account}/models/${lastSegment(id)}`,
  };
}

/**
 * A base model as the API names it: `accounts/fireworks/models/<id>` for a bare id (the Model
 * Library's), or a full name in any account (a team's own uploads and tuned models).
 */
export function baseModelName(model: string): string {
  const trimmed = model.trim();
  if (/^[a-z0-9][a-z0-9._-]*$/i.test(trimmed)) return `accounts/fireworks/models/${trimmed}`;
  if (/^accounts\/[^/]+\/models\/[^/]+$/.test(trimmed)) return trimmed;
  throw new ProviderError('invalid_request', `“${model}” is not a Fireworks model name.`, {
    hint: 'Use a model id such as llama-v3p1-8b-instruct, or a full name such as accounts/fireworks/models/llama-v3p1-8b-instruct.',
  });
}
