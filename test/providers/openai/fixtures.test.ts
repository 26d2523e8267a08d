import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixture } from './support.ts';

/**
 * The fixtures the adapter tests answer with must look like OpenAI's own objects: every field the
 * spec requires is there, and enum fields hold values the spec lists. The few fixtures that copy
 * real-world deviations (Azure's nulls, failed jobs without hyperparameters, `paused`) say exactly
 * where they differ, so a fixture cannot drift from the spec by accident.
 */
interface Schema {
  required?: string[];
  properties?: Record<string, { enum?: string[] }>;
}

let schemas: Record<string, Schema>;

// The required fields and enums of the schemas used here, extracted from OpenAI's published spec
// (shared/openai/openapi.yaml) into the repo, so a clone without ../shared tests the same way.
const VENDORED = new URL('../../fixtures/openai/openapi-schemas.json', import.meta.url);
const SPEC = new URL('../../../../shared/openai/openapi.yaml', import.meta.url);

beforeAll(() => {
  schemas = (JSON.parse(readFileSync(VENDORED, 'utf8')) as { schemas: Record<string, Schema> }).schemas;
}, 20_000);

it('keeps the vendored schemas equal to the published spec where the spec is at hand', () => {
  if (!existsSync(SPEC)) return; // a clone without ../shared: the vendored copy stands alone
  const spec = parse(readFileSync(SPEC, 'utf8')) as { components: { schemas: Record<string, Schema> } };
  for (const [name, vendored] of Object.entries(schemas)) {
    const published = spec.components.schemas[name] as Schema;
    expect(vendored.required, name).toEqual(published.required ?? []);
    for (const [field, prop] of Object.entries(vendored.properties ?? {})) {
      expect(prop.enum, `${name}.${field}`).toEqual(published.properties?.[field]?.enum);
    }
  }
}, 20_000);

function problems(schemaName: string, object: Record<string, unknown>): string[] {
  const schema = schemas[schemaName] as Schema;
  const out: string[] = [];
  for (const field of schema.required ?? []) {
    if (!(field in object)) out.push(`missing ${field}`);
  }
  for (const [field, prop] of Object.entries(schema.properties ?? {})) {
    const value = object[field];
    if (prop.enum && value !== undefined && !prop.enum.includes(value as string)) out.push(`${field}=${String(value)}`);
  }
  return out;
}

const listOf = (name: string) => fixture<{ data: Record<string, unknown>[] }>(name);

describe('fixtures against shared/openai/openapi.yaml', () => {
  it.each(['job-succeeded', 'job-running', 'job-failed-moderation'])('%s is a FineTuningJob', (name) => {
    expect(problems('FineTuningJob', fixture(name))).toEqual([]);
  });

  it('the documented deviations are the only ones', () => {
    // The spec's own create example sends `error: {}` on a validating job.
    expect(problems('FineTuningJob', fixture('job-validating-empty-error'))).toEqual([]);
    // Reported in the wild: failed jobs without hyperparameters.
    expect(problems('FineTuningJob', fixture('job-failed-no-hyperparameters'))).toEqual(['missing hyperparameters']);
    // The spec's pause example says `paused`, which its own enum lacks.
    expect(problems('FineTuningJob', fixture('job-paused'))).toEqual(['status=paused']);
    // Azure: `pending`, and null where OpenAI has a string and a list.
    const azure = fixture('job-azure-pending');
    expect(problems('FineTuningJob', azure)).toEqual(['status=pending']);
    expect([azure.organization_id, azure.result_files]).toEqual([null, null]);
  });

  it('list pages have the list schemas’ required fields', () => {
    expect(problems('ListFineTuningJobEventsResponse', listOf('events-page'))).toEqual([]);
    expect(problems('ListFineTuningJobCheckpointsResponse', listOf('checkpoints-page'))).toEqual([]);
  });

  it('events are FineTuningJobEvents, newest first', () => {
    const events = listOf('events-page').data;
    for (const event of events) expect(problems('FineTuningJobEvent', event)).toEqual([]);
    const times = events.map((e) => e.created_at as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('checkpoints are FineTuningJobCheckpoints', () => {
    for (const c of listOf('checkpoints-page').data) expect(problems('FineTuningJobCheckpoint', c)).toEqual([]);
  });

  it('files and uploads match OpenAIFile, Upload and UploadPart', () => {
    expect(problems('OpenAIFile', fixture('file'))).toEqual([]);
    expect(problems('Upload', fixture('upload'))).toEqual([]);
    expect(problems('UploadPart', fixture('upload-part'))).toEqual([]);
  });
});
