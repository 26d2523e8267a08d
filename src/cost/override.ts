import type { z } from 'zod';
import { settlePlaceholders } from './placeholder.ts';
import { type Catalogue, catalogueSchema } from './schema.ts';

/**
 * A PRICES_FILE over the built-in catalogue, without I/O: the text comes in, a validated catalogue
 * or a PricesFileError comes out. The file holds only what it changes, in the catalogue's own
 * shape; objects merge key by key, anything else replaces, and `null` removes an entry (a model or
 * GPU nobody should be offered). The merged result is validated as a whole, so a new model with a
 * missing field is caught as surely as a bad price.
 */

export class PricesFileError extends Error {
  readonly file: string;
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    const [first = 'is not a valid prices file', ...rest] = problems;
    const more = rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})`;
    super(`PRICES_FILE ${file}: ${first}${more}`);
    this.name = 'PricesFileError';
    this.file = file;
    this.problems = problems;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = ReadonlyArray<PropertyKey>;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A JSON path a person can find in the file: gpus["H100-80GB"].hourly_usd (model ids hold dots). */
export function formatPath(path: Path): string {
  if (path.length === 0) return 'the top level';
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (IDENTIFIER.test(name)) return i === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join('');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge: plain objects merge, null deletes, anything else replaces. Never mutates its inputs. */
export function deepMerge(base: unknown, override: unknown, path: PropertyKey[] = []): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (FORBIDDEN.has(key)) throw new MergeError([...path, key], 'is not allowed as a key');
    if (value === null) delete out[key];
    else out[key] = key in base ? deepMerge(base[key], value, [...path, key]) : value;
  }
  return out;
}

class MergeError extends Error {
  readonly path: PropertyKey[];
  constructor(path: PropertyKey[], message: string) {
    super(message);
    this.path = path;
  }
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return ', got an array';
  if (isPlainObject(value)) return ', got an object';
  const text = JSON.stringify(value);
  return `, got ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`;
}

function problem(issue: z.core.$ZodIssue, merged: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => `${formatPath([...issue.path, key])} is not a known field; check its spelling`)
      .join('; ');
  }
  return `${formatPath(issue.path)} ${issue.message}${describe(valueAt(merged, issue.path))}`;
}

/** A PRICES_FILE's text as the JSON object it must be; throws PricesFileError. */
export function parsePricesJson(text: string, file: string): Record<string, Json> {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
    throw new PricesFileError(file, [`is not valid JSON (${reason})`]);
  }
  if (!isPlainObject(json)) {
    throw new PricesFileError(file, [`expects a JSON object at the top level${describe(json)}`]);
  }
  return json as Record<string, Json>;
}

/**
 * `overlay` (a PRICES_FILE's object, or the Retail Prices feed's) merged over `base` and validated
 * as a whole; `name` is what a problem is reported against. Throws PricesFileError.
 */
export function applyOverlay(base: Catalogue, overlay: Record<string, unknown>, name: string): Catalogue {
  let merged: unknown;
  try {
    merged = settlePlaceholders(deepMerge(base, overlay), overlay);
  } catch (error) {
    if (error instanceof MergeError) throw new PricesFileError(name, [`${formatPath(error.path)} ${error.message}`]);
    throw error;
  }
  const parsed = catalogueSchema.safeParse(merged);
  if (!parsed.success)
    throw new PricesFileError(
      name,
      parsed.error.issues.map((issue) => problem(issue, merged)),
    );
  return parsed.data;
}
