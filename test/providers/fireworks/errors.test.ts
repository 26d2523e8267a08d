import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFireworksProvider } from '../../../src/providers/fireworks/index.ts';
import { type JobSpec, ProviderError, uploadName } from '../../../src/providers/types.ts';
import { chatLines, FakeFireworks, type RecordedRequest, trainingFile } from '../../support/fake-fireworks.ts';

const JOB = 'ft-err234';
const BASE = 'accounts/fireworks/models/llama-v3p1-8b-instruct';
const REF = { provider: 'fireworks' as const, id: JOB };
let fake: FakeFireworks;

beforeEach(async () => {
  fake = await new FakeFireworks().start();
});
afterEach(() => fake.stop());

const provider = (o: Partial<Parameters<typeof createFireworksProvider>[0]> = {}) =>
  createFireworksProvider({
    apiKey: fake.apiKey,
    accountId: fake.accountId,
    baseURL: fake.baseURL,
    retryBaseMs: 1,
    maxRetries: 2,
    upload: { pollIntervalMs: 1 },
    ...o,
  });

const failure = async (p: Promise<unknown>) => {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
};

function spec(trainingFileId: string, over: Partial<JobSpec> = {}, hp: Partial<JobSpec['hyperparameters']> = {}) {
  return {
    id: JOB,
    model: BASE,
    method: 'supervised',
    trainingFileId,
    hyperparameters: { nEpochs: 1, batchSize: 'auto', learningRateMultiplier: 'auto', ...hp },
    channelId: 'C1',
    requestedBy: 'U1',
    ...over,
  } as JobSpec;
}

const isJobGet = (r: RecordedRequest) => r.method === 'GET' && r.path.endsWith(`/supervisedFineTuningJobs/${JOB}`);
const isCreate = (r: RecordedRequest) => r.method === 'POST' && r.path.endsWith('/supervisedFineTuningJobs');

async function startedJob() {
  const p = provider();
  const file = await p.prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')));
  await p.start(spec(file.id));
  return file;
}

describe('errors in plain words, with what to do, and no secrets', () => {
  it('401: says to check FIREWORKS_API_KEY, and never shows the key the answer echoed', async () => {
    const wrongKey = 'fw_wrong_9876543210zyxwvutsrqponm';
    const error = await failure(provider({ apiKey: wrongKey }).poll(REF));
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect(error.hint).toContain('FIREWORKS_API_KEY');
    expect(`${error.message} ${error.hint}`).not.toContain(wrongKey);
    expect(error.message).toContain('[redacted]');
    expect(fake.requests).toHaveLength(1);
  });

  it('403: says the key’s account and FIREWORKS_ACCOUNT_ID must match', async () => {
    const error = await failure(provider({ accountId: 'someone-else' }).discardUploads(JOB));
    expect(error).toMatchObject({ kind: 'permission', status: 403 });
    expect(error.hint).toContain('FIREWORKS_ACCOUNT_ID');
  });

  it('402: a quota error that points at billing, from a create that is not retried', async () => {
    const file = await provider().prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')));
    fake.fail(isCreate, FakeFireworks.quota(), 5);
    const error = await failure(provider().start(spec(file.id)));
    expect(error).toMatchObject({ kind: 'quota', status: 402, retryable: false });
    expect(error.message).toContain('out of credits');
    expect(error.hint).toMatch(/credits|billing/i);
    expect(fake.requests.filter(isCreate)).toHaveLength(1);
    expect(fake.jobs.size).toBe(0);
  });

  it('429 on a read: waits what Retry-After asks, then reads again', async () => {
    await startedJob();
    fake.fail(isJobGet, FakeFireworks.rateLimited(1));
    const at = Date.now();
    await expect(provider().poll(REF)).resolves.toMatchObject({ state: 'validating' });
    const gets = fake.requests.filter(isJobGet);
    expect(gets).toHaveLength(3); // the start's look (none yet), the refused one, the retry
    expect(Date.now() - at).toBeGreaterThanOrEqual(950);
  });

  it('429 on a create: not retried, a rate limit that says how long Fireworks asked to wait', async () => {
    const file = await provider().prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')));
    fake.fail(isCreate, FakeFireworks.rateLimited(7), 5);
    const error = await failure(provider().start(spec(file.id)));
    expect(error).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 7000, status: 429 });
    expect(error.message).toContain('7 s');
    expect(fake.requests.filter(isCreate)).toHaveLength(1);
  });

  it('a 5xx storm: reads retried, then a clear retryable unavailable', async () => {
    await startedJob();
    const before = fake.requests.filter(isJobGet).length;
    fake.fail(isJobGet, FakeFireworks.unavailable(), 50);
    const error = await failure(provider().poll(REF));
    expect(error).toMatchObject({ kind: 'unavailable', status: 503, retryable: true });
    expect(error.message).toContain('service unavailable');
    expect(fake.requests.filter(isJobGet).length - before).toBe(3); // the first try and 2 retries
  });

  it('a 5xx on a create is not sent again (the caller’s retry finds the job first)', async () => {
    const file = await provider().prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')));
    fake.fail(isCreate, FakeFireworks.unavailable(), 5);
    await expect(provider().start(spec(file.id))).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
    expect(fake.requests.filter(isCreate)).toHaveLength(1);
  });

  it('no answer at all: a retryable network error', async () => {
    const closed = await new FakeFireworks().start();
    const baseURL = closed.baseURL;
    await closed.stop();
    const error = await failure(provider({ baseURL, maxRetries: 0 }).poll(REF));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });
});

describe('an unknown or untunable base model: said before anything is made', () => {
  it('prepare refuses before creating a dataset', async () => {
    const file = trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl'));
    const error = await failure(provider().prepare(file, { id: JOB, model: 'accounts/fireworks/models/llama-v9-1t' }));
    expect(error).toMatchObject({ kind: 'not_found' });
    expect(error.message).toContain('accounts/fireworks/models/llama-v9-1t');
    expect(fake.datasets.size).toBe(0);
    expect(fake.requestsTo('POST', /datasets/)).toHaveLength(0);
    expect(file.opened).toBe(0);
  });

  it('start refuses before creating a job, for a bare id too', async () => {
    const file = await provider().prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')));
    const error = await failure(provider().start(spec(file.id, { model: 'no-such-model' })));
    expect(error).toMatchObject({ kind: 'not_found' });
    expect(error.message).toContain('accounts/fireworks/models/no-such-model');
    expect(fake.requests.filter(isCreate)).toHaveLength(0);
  });

  it('a model Fireworks cannot tune is an invalid request', async () => {
    fake.models.set('accounts/fireworks/models/serving-only', {
      name: 'accounts/fireworks/models/serving-only',
      kind: 'HF_BASE_MODEL',
      tunable: false,
      deployed: true,
    });
    const error = await failure(
      provider().prepare(trainingFile(chatLines(4), uploadName(JOB, 'train.jsonl')), {
        id: JOB,
        model: 'accounts/fireworks/models/serving-only',
      }),
    );
    expect(error).toMatchObject({ kind: 'invalid_request' });
    expect(error.message).toContain('not tunable');
    expect(fake.datasets.size).toBe(0);
  });
});

describe('what Fireworks would refuse is refused before any request', () => {
  const cases: Array<[string, Partial<JobSpec>, Partial<JobSpec['hyperparameters']>, RegExp]> = [
    ['DPO', { method: 'dpo' }, {}, /supervised/],
    ['full fine-tuning', {}, { tuning: 'full' }, /LoRA/],
    ['a LoRA rank not offered', {}, { loraRank: 12 }, /rank/],
    ['a fraction of an epoch', {}, { nEpochs: 1.5 }, /whole/],
    ['a negative learning rate', {}, { learningRate: -0.1 }, /learning rate/],
    ['a model name that is not one', { model: 'openai/gpt-4.1' }, {}, /not a Fireworks model name/],
  ];
  for (const [what, over, hp, said] of cases) {
    it(`refuses ${what}`, async () => {
      const error = await failure(provider().start(spec('accounts/acme/datasets/x', over, hp)));
      expect(error.kind).toBe('invalid_request');
      expect(error.message).toMatch(said);
      expect(error.hint).not.toBe('');
      expect(fake.requests).toHaveLength(0);
    });
  }
});
