import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTogetherProvider } from '../../../src/providers/together/index.ts';
import { type JobSpec, type Provider, ProviderError, uploadName } from '../../../src/providers/types.ts';
import { FakeTogether } from '../../support/fake-together.ts';

const MODEL = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference';
const LINE = `${JSON.stringify({
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
  ],
})}\n`;

function trainingFile(name: string, lines = 3) {
  const bytes = Buffer.from(LINE.repeat(lines));
  return {
    name,
    bytes: bytes.length,
    async *open() {
      // In two chunks: the upload must stream, not expect one buffer.
      yield bytes.subarray(0, 10);
      yield bytes.subarray(10);
    },
  };
}

function spec(fileId: string, over: Partial<JobSpec> = {}): JobSpec {
  return {
    id: 'ft-abc123',
    model: MODEL,
    method: 'supervised',
    trainingFileId: fileId,
    hyperparameters: {
      nEpochs: 2,
      batchSize: 'auto',
      learningRateMultiplier: 'auto',
      learningRate: 0.0002,
      loraRank: 16,
    },
    channelId: 'C123',
    requestedBy: 'U123',
    ...over,
  };
}

let fake: FakeTogether;
let provider: Provider;
const waits: number[] = [];

beforeEach(async () => {
  fake = await new FakeTogether().start();
  waits.length = 0;
  provider = createTogetherProvider({
    apiKey: fake.apiKey,
    baseURL: fake.baseUrl,
    retryBaseMs: 1,
    wait: async (ms) => {
      waits.push(ms);
    },
  });
});
afterEach(async () => {
  await fake.stop();
});

async function started() {
  const file = await provider.prepare(trainingFile(uploadName('ft-abc123', 'train.jsonl')));
  const ref = await provider.start(spec(file.id));
  return { file, ref };
}

describe('Together AI provider', () => {
  it('uploads through the signed URL, streamed, without sending the key there', async () => {
    const file = await provider.prepare(trainingFile('ft-abc123-train.jsonl'));
    const stored = fake.files.get(file.id);
    expect(stored?.filename).toBe('ft-abc123-train.jsonl');
    expect(stored?.content).toBe(LINE.repeat(3));
    const put = fake.calls('PUT', /^\/signed\//)[0];
    expect(put?.authorization).toBeUndefined();
    expect(file.bytes).toBe(Buffer.byteLength(LINE.repeat(3)));
  });

  it('creates the job with the form’s knobs: LoRA rank, learning rate, epochs, SFT', async () => {
    const { ref } = await started();
    const body = fake.calls('POST', '/v1/fine-tunes')[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      model: MODEL,
      n_epochs: 2,
      learning_rate: 0.0002,
      training_method: { method: 'sft' },
      training_type: { type: 'Lora', lora_r: 16, lora_alpha: 32 },
    });
    expect(body).not.toHaveProperty('batch_size');
    expect(ref.provider).toBe('together');
  });

  it('asks for full fine-tuning, DPO and evaluations when the spec says so', async () => {
    const file = await provider.prepare(trainingFile('ft-abc123-train.jsonl'));
    await provider.start(
      spec(file.id, {
        method: 'dpo',
        validationFileId: file.id,
        hyperparameters: {
          nEpochs: 1,
          batchSize: 8,
          learningRateMultiplier: 'auto',
          tuning: 'full',
          nEvals: 4,
          nCheckpoints: 2,
          beta: 0.2,
        },
      }),
    );
    const body = fake.calls('POST', '/v1/fine-tunes')[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      training_type: { type: 'Full' },
      training_method: { method: 'dpo', dpo_beta: 0.2 },
      n_evals: 4,
      n_checkpoints: 2,
      batch_size: 8,
    });
  });

  it('starts once for the same job, even when asked twice', async () => {
    const { file, ref } = await started();
    const again = await provider.start(spec(file.id));
    expect(again.id).toBe(ref.id);
    expect(fake.jobs.size).toBe(1);
  });

  it('follows a job from queued to success: steps, losses, checkpoints, billed tokens', async () => {
    const { ref } = await started();
    let status = await provider.poll(ref);
    expect(status.state).toBe('queued');
    const first = status.cursor;

    fake.advance(ref.id, { status: 'running' }, [
      { type: 'training_start', message: 'Training started', total_steps: 20 },
    ]);
    fake.addMetrics(ref.id, 5, 1.25);
    fake.addMetrics(ref.id, 10, 0.9, 1.1);
    status = await provider.poll(ref, first);
    expect(status.state).toBe('running');
    expect(status.events.map((e) => e.message)).toEqual([
      'Training started',
      'Step 5: training loss 1.25',
      'Step 10: training loss 0.9',
    ]);
    expect(status.events[2]?.metrics).toEqual({ step: 10, totalSteps: 20, trainLoss: 0.9, validLoss: 1.1 });

    // An evaluation row that lands after its step was told is told too, merged by step downstream.
    fake.addEval(ref.id, 10, 1.05);
    const late = await provider.events(ref, status.cursor);
    expect(late.events.map((e) => e.metrics)).toEqual([{ step: 10, totalSteps: 20, validLoss: 1.05 }]);

    // Nothing new: nothing handed out twice.
    const quiet = await provider.events(ref, late.cursor);
    expect(quiet.events).toEqual([]);

    fake.advance(ref.id, { status: 'completed', token_count: 123_456 }, [
      { type: 'checkpoint_save', message: 'Saved at step 20', step: 20, total_steps: 20 },
      { type: 'job_complete', message: 'Fine-tuning job completed' },
    ]);
    fake.checkpoints.set(ref.id, [
      { step: 20, path: 's3://x', created_at: new Date().toISOString(), checkpoint_type: 'final' },
    ]);
    status = await provider.poll(ref, quiet.cursor);
    expect(status.state).toBe('succeeded');
    expect(status.trainedTokens).toBe(123_456);
    expect(status.fineTunedModel).toBe(fake.onlyJob().model_output_name);
    expect(status.progress).toMatchObject({ step: 20, totalSteps: 20 });
    expect(status.events.map((e) => e.message)).toEqual([
      'Checkpoint saved: Saved at step 20',
      'Fine-tuning job completed',
    ]);
    const checkpoints = await provider.checkpoints(ref);
    expect(checkpoints).toEqual([expect.objectContaining({ step: 20, model: fake.onlyJob().model_output_name })]);
    const snaps = await provider.snapshots([ref]);
    expect(snaps.get(ref.id)?.state).toBe('succeeded');
  });

  it('says why a job failed, in Together’s words, with a hint', async () => {
    const { ref } = await started();
    fake.advance(ref.id, { status: 'error' }, [
      { type: 'job_error', level: 'error', message: 'Invalid format in line 2: "messages" missing' },
    ]);
    const snaps = await provider.snapshots([ref]);
    const error = snaps.get(ref.id)?.error;
    expect(error?.message).toContain('Invalid format in line 2');
    expect(error?.hint).toMatch(/validate/);
  });

  it('refuses an unknown base model before anything is created', async () => {
    const file = await provider.prepare(trainingFile('ft-abc123-train.jsonl'));
    const error = await provider.start(spec(file.id, { model: 'acme/NoSuchModel-7B' })).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toContain('cannot fine-tune “acme/NoSuchModel-7B”');
    expect(fake.calls('POST', '/v1/fine-tunes')).toHaveLength(0);
    expect(await provider.discardUploads('ft-abc123')).toBe(1);
    expect(fake.files.size).toBe(0);
  });

  it('a bad key: auth error naming TOGETHER_API_KEY, never the key', async () => {
    const bad = createTogetherProvider({ apiKey: 'tgp_v1_wrong-key-abcdef', baseURL: fake.baseUrl, retryBaseMs: 1 });
    const error = await bad.snapshots([{ provider: 'together', id: 'ft-x' }]).catch((e) => e);
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(error.hint).toContain('TOGETHER_API_KEY');
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-key');
  });

  it('out of credit (402): a quota error that says to add credit', async () => {
    const file = await provider.prepare(trainingFile('ft-abc123-train.jsonl'));
    fake.fail((r) => r.method === 'POST' && r.path === '/v1/fine-tunes', {
      status: 402,
      body: { error: { message: 'Insufficient balance', type: 'billing' } },
    });
    const error = await provider.start(spec(file.id)).catch((e) => e);
    expect(error).toMatchObject({ kind: 'quota', status: 402 });
    expect(error.message).toContain('Insufficient balance');
    expect(error.hint).toMatch(/credit/);
    expect(fake.jobs.size).toBe(0);
  });

  it('429 with Retry-After: reads wait as asked and go again; a create is not sent twice', async () => {
    const { ref, file } = await started();
    fake.fail((r) => r.method === 'GET' && r.path === '/v1/fine-tunes', {
      status: 429,
      headers: { 'retry-after': '2' },
    });
    const snaps = await provider.snapshots([ref]);
    expect(snaps.get(ref.id)?.state).toBe('queued');
    expect(waits[0]).toBeGreaterThanOrEqual(2000);

    fake.fail((r) => r.method === 'POST' && r.path === '/v1/fine-tunes', {
      status: 429,
      headers: { 'retry-after': '1' },
    });
    const other = await provider.prepare(trainingFile('ft-def456-train.jsonl'));
    const error = await provider.start(spec(other.id, { id: 'ft-def456' })).catch((e) => e);
    expect(error).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 1000 });
    expect(fake.calls('POST', '/v1/fine-tunes')).toHaveLength(2);
    expect(file.id).not.toBe(other.id);
  });

  it('a 5xx storm: reads retried a few times, then a retryable “unavailable”', async () => {
    const { ref } = await started();
    const before = fake.calls('GET', '/v1/fine-tunes').length;
    fake.fail((r) => r.path === '/v1/fine-tunes' && r.method === 'GET', { status: 503 }, 10);
    const error = await provider.snapshots([ref]).catch((e) => e);
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, status: 503 });
    expect(fake.calls('GET', '/v1/fine-tunes').length - before).toBe(3);
  });

  it('cancels, and the job reads as cancelled once Together confirms', async () => {
    const { ref } = await started();
    await provider.cancel(ref);
    expect(fake.onlyJob().status).toBe('cancel_requested');
    expect((await provider.poll(ref)).state).toBe('running');
    fake.advance(ref.id, { status: 'cancelled' });
    expect((await provider.poll(ref)).state).toBe('cancelled');
  });

  it('Try it: answers from a served model, and says how to serve one that is not', async () => {
    fake.served.add('team/model-a');
    expect(await provider.complete('team/model-a', 'hi')).toEqual({ text: 'A tuned answer from Together.' });
    const error = await provider.complete('team/model-b', 'hi').catch((e) => e);
    expect(error).toMatchObject({ kind: 'not_found' });
    expect(error.hint).toMatch(/dedicated endpoint/);
  });

  it('lists its tunable models, the known ones first with their names', async () => {
    const models = await provider.models();
    expect(models.map((m) => m.id)).toEqual([MODEL, 'Qwen/Qwen3-8B']);
    expect(models[0]?.label).toBe('Llama 3.1 8B Instruct');
  });
});
