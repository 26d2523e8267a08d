import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach } from 'vitest';
import type { JobSpec, TrainingFile } from '../../../src/providers/types.ts';

/** A host no real client talks to, so a request nock does not expect can only fail. */
export const OPENAI_ORIGIN = 'https://openai.test';
export const OPENAI_BASE = `${OPENAI_ORIGIN}/v1`;
export const API_KEY = 'sk-test-0123456789abcdefghijklmnopqrstuv';

/** A fixture shaped like the OpenAPI spec's schemas (test/fixtures/openai/). */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`test/fixtures/openai/${name}.json`, 'utf8')) as T;
}

/** Only mocked HTTP, and nothing left over between tests. */
export function useNock(): void {
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    if (pending.length > 0) throw new Error(`unused mocks: ${pending.join(', ')}`);
  });
}

/** A training file read in small chunks, counting how often it was opened. */
export function trainingFile(content: string, name = 'train.jsonl', chunkSize = 64): TrainingFile & { opened: number } {
  const bytes = new TextEncoder().encode(content);
  const file = {
    name,
    bytes: bytes.length,
    opened: 0,
    async *open() {
      file.opened++;
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.slice(i, i + chunkSize);
    },
  };
  return file;
}

export function spec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    id: 'job-1',
    model: 'gpt-4.1-mini-2025-04-14',
    method: 'supervised',
    trainingFileId: 'file-train1',
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
    channelId: 'C0123ABCD',
    requestedBy: 'U0123ABCD',
    ...overrides,
  };
}

/** A job object for list pages: the succeeded fixture with another id and creation time. */
export function job(id: string, createdAt: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...fixture('job-succeeded'), id, created_at: createdAt, metadata: null, ...extra };
}
