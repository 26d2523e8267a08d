import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFireworksProvider } from '../../../src/providers/fireworks/index.ts';
import { type JobSpec, ProviderError, uploadName } from '../../../src/providers/types.ts';
import { chatLines, FakeFireworks, trainingFile } from '../../support/fake-fireworks.ts';

const JOB = 'ft-abc234';
const BASE = 'accounts/fireworks/models/llama-v3p1-8b-instruct';
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
    upload: { pollIntervalMs: 1 },
    ...o,
  });

function spec(trainingFileId: string, over: Partial<JobSpec> = {}): JobSpec {
  return {
    id: JOB,
    model: BASE,
    method: 'supervised',
    trainingFileId,
    hyperparameters: {
      nEpochs: 2,
      batchSize: 'auto',
      learningRateMultiplier: 'auto',
      learningRate: 0.0002,
      loraRank: 16,
    },
    channelId: 'C1',
    requestedBy: 'U1',
    ...over,
  };
}

async function prepared(p = provider(), jobId = JOB, name = 'train.jsonl') {
  return p.prepare(trainingFile(chatLines(5), uploadName(jobId, name)), { id: jobId, model: BASE });
}

describe('a Fireworks job from upload to tuned model', () => {
  it('starts, reports percent and epoch with metric events since the cursor, and ends with the model', async () => {
    const p = provider();
    const file = await prepared(p);
    expect(file).toMatchObject({ provider: 'fireworks', name: `${JOB}-train.jsonl` });
    expect(file.id).toMatch(/^accounts\/acme\/datasets\/ft-abc234-train-jsonl-[0-9a-f]{8}$/);

    const ref = await p.start(spec(file.id));
    expect(ref).toEqual({ provider: 'fireworks', id: JOB });
    const [create] = fake.requestsTo('POST', /supervisedFineTuningJobs$/);
    expect(create?.query.get('supervisedFineTuningJobId')).toBe(JOB);
    expect(create?.body).toEqual({
      dataset: file.id,
      displayName: `finetune-bot ${JOB}`,
      baseModel: BASE,
      outputModel: `accounts/acme/models/${JOB}`,
      epochs: 2,
      learningRate: 0.0002,
      loraRank: 16,
    });

    const first = await p.poll(ref);
    expect(first).toMatchObject({ state: 'validating', providerStatus: 'JOB_STATE_CREATING', model: BASE });
    expect(first.events.map((e) => e.id)).toEqual(['created', 'state:1:JOB_STATE_CREATING']);

    fake.run(JOB, 40, 0);
    fake.addMetrics(JOB, { step: 1, loss: 1.9 }, { step: 2, data: { 'train/loss': 1.5, 'eval/loss': 1.7 } });
    const running = await p.poll(ref, first.cursor);
    expect(running).toMatchObject({ state: 'running', progress: { percent: 40, epoch: 1 }, fineTunedModel: null });
    expect(running.events.map((e) => e.metrics ?? e.message)).toEqual([
      { step: 1, trainLoss: 1.9 },
      { step: 2, trainLoss: 1.5, validLoss: 1.7 },
      'Fireworks: the job is running.',
    ]);

    // Progress moves the job's update time, but only news is told again.
    fake.run(JOB, 55, 1);
    const quiet = await p.poll(ref, running.cursor);
    expect(quiet.events).toEqual([]);
    expect(quiet.progress).toEqual({ percent: 55, epoch: 2 });

    fake.addMetrics(JOB, { step: 3, loss: 1.1 });
    fake.succeed(JOB, { tokens: 40_000 });
    const done = await p.poll(ref, quiet.cursor);
    expect(done).toMatchObject({
      state: 'succeeded',
      providerStatus: 'JOB_STATE_COMPLETED',
      fineTunedModel: `accounts/acme/models/${JOB}`,
      trainedTokens: 40_000,
      error: null,
      progress: { percent: 100 },
      hyperparameters: { nEpochs: 2, learningRate: 0.0002, loraRank: 16 },
    });
    expect(done.finishedAt).not.toBeNull();
    expect(done.events.map((e) => e.metrics?.step ?? e.message)).toEqual([
      3,
      `Fireworks: the job is completed. The tuned model is accounts/acme/models/${JOB}.`,
    ]);

    const snapshots = await p.snapshots([ref]);
    expect(snapshots.get(JOB)).toMatchObject({ state: 'succeeded', fineTunedModel: `accounts/acme/models/${JOB}` });
    await expect(p.checkpoints(ref)).resolves.toEqual([]);
    await expect(p.events(ref, done.cursor)).resolves.toEqual({ events: [], cursor: done.cursor });
  });

  it('offers the catalogue’s Fireworks base models', async () => {
    const models = await provider().models();
    expect(models.map((m) => m.id)).toContain(BASE);
    for (const m of models) expect(m).toMatchObject({ family: m.id, methods: ['supervised'] });
  });

  it('starts one job however often start is called for the same spec', async () => {
    const p = provider();
    const file = await prepared(p);
    const a = await p.start(spec(file.id));
    const b = await p.start(spec(file.id));
    expect(b).toEqual(a);
    expect(fake.jobs.size).toBe(1);
    expect(fake.requestsTo('POST', /supervisedFineTuningJobs$/)).toHaveLength(1);
  });

  it('finds the job through 409 when an earlier create landed but its answer was lost', async () => {
    const p = provider();
    const file = await prepared(p);
    await p.start(spec(file.id));
    // The retry's first look misses it (as if the create were still landing), the create meets 409.
    fake.fail((r) => r.method === 'GET' && r.path.endsWith(`/supervisedFineTuningJobs/${JOB}`), {
      status: 404,
      body: { code: 5, message: 'not found', details: [] },
    });
    await expect(p.start(spec(file.id))).resolves.toEqual({ provider: 'fireworks', id: JOB });
    expect(fake.jobs.size).toBe(1);
    expect(fake.requestsTo('POST', /supervisedFineTuningJobs$/)).toHaveLength(2);
  });

  it('refuses a job of the same id that trains another dataset, rather than adopting it', async () => {
    const p = provider();
    const file = await prepared(p);
    const other = await prepared(p, JOB, 'other.jsonl');
    await p.start(spec(other.id));
    const error = await p.start(spec(file.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'invalid_request' });
  });

  it('puts a failed job’s reason, in Fireworks’ words, in its error with a hint, and in an error event', async () => {
    const p = provider();
    const ref = await p.start(spec((await prepared(p)).id));
    const before = await p.poll(ref);
    fake.failJob(JOB, 'Dataset has 2 examples; at least 3 are required.');
    const failed = await p.poll(ref, before.cursor);
    expect(failed).toMatchObject({
      state: 'failed',
      providerStatus: 'JOB_STATE_FAILED',
      fineTunedModel: null,
      trainedTokens: null,
      error: { code: 'INVALID_ARGUMENT', message: 'Dataset has 2 examples; at least 3 are required.' },
    });
    expect(failed.error?.hint).toContain('/finetune validate');
    expect(failed.events).toEqual([
      expect.objectContaining({ level: 'error', message: expect.stringContaining('at least 3 are required') }),
    ]);
  });

  it('reads many jobs from the account’s list and leaves out those Fireworks does not have', async () => {
    const p = provider({ snapshots: { directReads: 1 } });
    const file = await prepared(p);
    const ref = await p.start(spec(file.id));
    const map = await p.snapshots([ref, { provider: 'fireworks', id: 'ft-gone99' }]);
    expect([...map.keys()]).toEqual([JOB]);
    expect(fake.requestsTo('GET', /supervisedFineTuningJobs$/)).toHaveLength(1);
  });
});

describe('cancel', () => {
  it('cancels through :cancel where the API has it', async () => {
    const p = provider();
    const ref = await p.start(spec((await prepared(p)).id));
    fake.run(JOB, 10);
    await expect(p.cancel(ref)).resolves.toBeUndefined();
    await expect(p.poll(ref)).resolves.toMatchObject({ state: 'cancelled', providerStatus: 'JOB_STATE_CANCELLED' });
  });

  it('deletes the job where the API has no :cancel route', async () => {
    fake.cancelRoute = false;
    const p = provider();
    const ref = await p.start(spec((await prepared(p)).id));
    fake.run(JOB, 10);
    await p.cancel(ref);
    expect(fake.requestsTo('DELETE', /supervisedFineTuningJobs\/ft-abc234$/)).toHaveLength(1);
    await expect(p.snapshots([ref])).resolves.toHaveProperty('size', 0);
  });

  it('leaves a job that has already ended as it is', async () => {
    const p = provider();
    const ref = await p.start(spec((await prepared(p)).id));
    fake.succeed(JOB);
    await expect(p.cancel(ref)).resolves.toBeUndefined();
    expect(fake.requestsTo('DELETE', /supervisedFineTuningJobs/)).toHaveLength(0);
    expect(fake.job(JOB).state).toBe('JOB_STATE_COMPLETED');
  });

  it('says not_found for a job Fireworks does not know', async () => {
    await expect(provider().cancel({ provider: 'fireworks', id: 'ft-none00' })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});

describe('Try it', () => {
  it('answers from a deployed tuned model through chat completions', async () => {
    const p = provider({ completionMaxTokens: 64 });
    await p.start(spec((await prepared(p)).id));
    fake.succeed(JOB, { deployed: true });
    fake.completion = 'Bonjour.';
    await expect(p.complete(`accounts/acme/models/${JOB}`, 'Say hello in French')).resolves.toEqual({
      text: 'Bonjour.',
    });
    const [asked] = fake.requestsTo('POST', /^\/inference\/v1\/chat\/completions$/);
    expect(asked?.body).toEqual({
      model: `accounts/acme/models/${JOB}`,
      messages: [{ role: 'user', content: 'Say hello in French' }],
      max_tokens: 64,
    });
  });

  it('says how to deploy a tuned model that is not deployed yet', async () => {
    const p = provider();
    await p.start(spec((await prepared(p)).id));
    fake.succeed(JOB, { deployed: false });
    const error = (await p.complete(`accounts/acme/models/${JOB}`, 'hi').catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'not_found', status: 404, retryable: false });
    expect(error.message).toContain('not deployed');
    expect(error.hint).toContain(`firectl create deployment accounts/acme/models/${JOB}`);
  });
});

describe('discardUploads', () => {
  it('deletes the datasets made for the job, and only those', async () => {
    const p = provider();
    await prepared(p, JOB, 'train.jsonl');
    await prepared(p, JOB, 'more data.jsonl');
    await prepared(p, 'ft-zzz999', 'train.jsonl');
    fake.datasets.set('accounts/acme/datasets/team-data', {
      name: 'accounts/acme/datasets/team-data',
      displayName: 'team data',
      createTime: new Date().toISOString(),
      updateTime: new Date().toISOString(),
      state: 'READY',
      files: new Map(),
    });
    await expect(p.discardUploads(JOB)).resolves.toBe(2);
    expect([...fake.datasets.keys()].map((n) => n.split('/').pop())).toEqual([
      expect.stringMatching(/^ft-zzz999-train-jsonl-/),
      'team-data',
    ]);
    await expect(p.discardUploads(JOB)).resolves.toBe(0);
  });
});
