import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createOpenAIProvider } from '../../../src/providers/openai/index.ts';
import { API_KEY, fixture, job, OPENAI_BASE, OPENAI_ORIGIN, useNock } from './support.ts';

const ref = (id: string) => ({ provider: 'openai' as const, id });

/** The organization's jobs, newest first, paged like the list endpoint; counts calls. (nock 15 hands reply functions the fetch Request.) */
function serveJobs(all: Array<Record<string, unknown>>) {
  const calls = { list: 0, retrieve: 0 };
  nock(OPENAI_ORIGIN)
    .persist()
    .get('/v1/fine_tuning/jobs')
    .query(true)
    .optionally()
    .reply((req: Request) => {
      calls.list++;
      const q = new URL(req.url).searchParams;
      const after = q.get('after');
      const limit = Number(q.get('limit') ?? 20);
      const start = after ? all.findIndex((j) => j.id === after) + 1 : 0;
      return [200, { object: 'list', data: all.slice(start, start + limit), has_more: start + limit < all.length }];
    })
    .get(/\/v1\/fine_tuning\/jobs\/[^/]+$/)
    .optionally()
    .reply((req: Request) => {
      calls.retrieve++;
      const id = new URL(req.url).pathname.split('/').pop();
      const found = all.find((j) => j.id === id);
      return found ? [200, found] : [404, { error: { message: `No such job: ${id}`, type: 'invalid_request_error' } }];
    });
  return calls;
}

describe('snapshots: many jobs in few calls', () => {
  useNock();
  const organization = Array.from({ length: 3000 }, (_, i) =>
    job(`ftjob-${String(3000 - i).padStart(5, '0')}`, 2_000_000 - i, { status: 'running' }),
  );

  it('finds 1,000 active jobs spread over the newest 2,000 in 20 list calls (naive: 1,000 retrieves)', async () => {
    const calls = serveJobs(organization);
    const reads: Array<{ jobs: number; calls: number }> = [];
    const p = createOpenAIProvider({
      apiKey: API_KEY,
      baseURL: OPENAI_BASE,
      maxRetries: 0,
      onSnapshotRead: (r) => reads.push(r),
    });
    // Every other job among the newest 2,000 is ours.
    const ours = organization
      .filter((_, i) => i % 2 === 0)
      .slice(0, 1000)
      .map((j) => ref(j.id as string));

    const snapshots = await p.snapshots(ours);

    expect(snapshots.size).toBe(1000);
    expect(snapshots.get(ours[999]?.id as string)).toMatchObject({ state: 'running', ref: ours[999] });
    const total = calls.list + calls.retrieve;
    console.info(`snapshots: 1000 jobs → ${calls.list} list + ${calls.retrieve} retrieve = ${total} HTTP calls`);
    expect(calls).toEqual({ list: 20, retrieve: 0 });
    expect(total).toBeLessThanOrEqual(100); // ≤ 0.1 × naive
    expect(reads).toEqual([{ jobs: 1000, calls: 20 }]);
  });

  it('stops paging after two fruitless pages and retrieves the stragglers; unknown jobs are left out', async () => {
    const calls = serveJobs(organization);
    const p = createOpenAIProvider({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries: 0 });
    const ids = ['ftjob-03000', 'ftjob-02999', 'ftjob-00005', 'ftjob-gone'];

    const snapshots = await p.snapshots(ids.map(ref));

    expect([...snapshots.keys()].sort()).toEqual(['ftjob-00005', 'ftjob-02999', 'ftjob-03000']);
    expect(calls).toEqual({ list: 3, retrieve: 2 }); // page 1 finds two, pages 2 and 3 none → stop
  });

  it('retrieves a single job directly', async () => {
    const calls = serveJobs(organization);
    const p = createOpenAIProvider({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries: 0 });
    await expect(p.snapshots([ref('ftjob-00042')])).resolves.toHaveProperty('size', 1);
    expect(calls).toEqual({ list: 0, retrieve: 1 });
  });

  it('fails the whole read when the credentials are refused', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs')
      .query(true)
      .reply(401, { error: { message: 'bad key' } });
    const p = createOpenAIProvider({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries: 0 });
    await expect(p.snapshots([ref('a'), ref('b')])).rejects.toMatchObject({ kind: 'auth' });
  });
});

describe('events since a cursor', () => {
  useNock();
  const page = fixture<{ data: Array<{ id: string }> }>('events-page');
  const p = () => createOpenAIProvider({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries: 0 });

  it('returns every event oldest first, metrics mapped, and the newest id as the cursor', async () => {
    nock(OPENAI_ORIGIN).get('/v1/fine_tuning/jobs/ftjob-run456/events').query({ limit: '100' }).reply(200, page);
    const result = await p().events(ref('ftjob-run456'), null);
    expect(result.events.map((e) => e.id)).toEqual([
      'ftevent-001',
      'ftevent-002',
      'ftevent-003',
      'ftevent-004',
      'ftevent-005',
    ]);
    expect(result.events[2]?.level).toBe('warning');
    expect(result.events[4]?.metrics).toMatchObject({ step: 3, totalSteps: 100, trainLoss: 1.1, validLoss: 1.3 });
    expect(result.cursor).toBe('ftevent-005');
  });

  it('returns only what is newer than the cursor', async () => {
    nock(OPENAI_ORIGIN).get('/v1/fine_tuning/jobs/ftjob-run456/events').query(true).reply(200, page);
    const result = await p().events(ref('ftjob-run456'), 'ftevent-003');
    expect(result.events.map((e) => e.id)).toEqual(['ftevent-004', 'ftevent-005']);
    expect(result.cursor).toBe('ftevent-005');
  });

  it('keeps the cursor when nothing is new', async () => {
    nock(OPENAI_ORIGIN).get('/v1/fine_tuning/jobs/ftjob-run456/events').query(true).reply(200, page);
    await expect(p().events(ref('ftjob-run456'), 'ftevent-005')).resolves.toEqual({
      events: [],
      cursor: 'ftevent-005',
    });
  });

  it('pages back with `after` until it meets the cursor, and no further', async () => {
    const all = Array.from({ length: 250 }, (_, i) => ({
      object: 'fine_tuning.job.event',
      id: `ftevent-${String(250 - i).padStart(4, '0')}`,
      created_at: 1_800_000_000 - i,
      level: 'info',
      message: `Step ${250 - i}/250`,
      type: 'metrics',
      data: { step: 250 - i, total_steps: 250, train_loss: 1 },
    }));
    const afters: Array<string | null> = [];
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs/ftjob-run456/events')
      .query(true)
      .times(2)
      .reply((req: Request) => {
        const after = new URL(req.url).searchParams.get('after');
        afters.push(after);
        const start = after ? all.findIndex((e) => e.id === after) + 1 : 0;
        return [200, { object: 'list', data: all.slice(start, start + 100), has_more: start + 100 < all.length }];
      });
    const result = await p().events(ref('ftjob-run456'), 'ftevent-0060');
    expect(afters).toEqual([null, 'ftevent-0151']);
    expect(result.events).toHaveLength(190);
    expect(result.events[0]?.metrics?.step).toBe(61);
    expect(result.events.at(-1)?.metrics?.step).toBe(250);
    expect(result.cursor).toBe('ftevent-0250');
  });
});

describe('poll, checkpoints, cancel, complete, models', () => {
  useNock();
  const p = () => createOpenAIProvider({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries: 0 });

  it('polls one job: its snapshot and the events since the cursor', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs/ftjob-run456')
      .reply(200, fixture('job-running'))
      .get('/v1/fine_tuning/jobs/ftjob-run456/events')
      .query(true)
      .reply(200, fixture('events-page'));
    const status = await p().poll(ref('ftjob-run456'), 'ftevent-004');
    expect(status).toMatchObject({ state: 'running', model: 'gpt-4o-2024-08-06', cursor: 'ftevent-005' });
    expect(status.events.map((e) => e.id)).toEqual(['ftevent-005']);
  });

  it('says a job that does not exist is not found', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs/ftjob-nope')
      .reply(404, {
        error: {
          message: 'No such fine-tuning job: ftjob-nope',
          type: 'invalid_request_error',
          param: 'fine_tuning_job_id',
        },
      })
      .get('/v1/fine_tuning/jobs/ftjob-nope/events')
      .query(true)
      .reply(404, { error: { message: 'No such fine-tuning job: ftjob-nope' } });
    await expect(p().poll(ref('ftjob-nope'))).rejects.toMatchObject({ kind: 'not_found', status: 404 });
  });

  it('lists checkpoints by step', async () => {
    nock(OPENAI_ORIGIN)
      .get('/v1/fine_tuning/jobs/ftjob-abc123/checkpoints')
      .query(true)
      .reply(200, fixture('checkpoints-page'));
    const checkpoints = await p().checkpoints(ref('ftjob-abc123'));
    expect(checkpoints.map((c) => c.step)).toEqual([1000, 2000]);
    expect(checkpoints[0]).toMatchObject({
      model: 'ft:gpt-4o-mini-2024-07-18:my-org:custom-suffix:7q8mpxmy:ckpt-step-1000',
      metrics: { step: 1000, trainLoss: 0.478, validLoss: 10.112, trainAccuracy: 0.924, fullValidLoss: 0.567 },
    });
  });

  it('cancels', async () => {
    const scope = nock(OPENAI_ORIGIN)
      .post('/v1/fine_tuning/jobs/ftjob-run456/cancel')
      .reply(200, { ...fixture('job-running'), status: 'cancelled' });
    await p().cancel(ref('ftjob-run456'));
    expect(scope.isDone()).toBe(true);
  });

  it('asks a tuned model one question and returns the answer', async () => {
    let body: Record<string, unknown> = {};
    nock(OPENAI_ORIGIN)
      .post('/v1/chat/completions', (b) => {
        body = b;
        return true;
      })
      .reply(200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'ft:gpt-4.1-mini-2025-04-14:my-org:support-bot:7q8mpxmy',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hello from the tuned model.', refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
      });
    const answer = await p().complete('ft:gpt-4.1-mini-2025-04-14:my-org:support-bot:7q8mpxmy', 'Hi?');
    expect(answer).toEqual({ text: 'Hello from the tuned model.' });
    expect(body).toMatchObject({
      model: 'ft:gpt-4.1-mini-2025-04-14:my-org:support-bot:7q8mpxmy',
      messages: [{ role: 'user', content: 'Hi?' }],
    });
  });

  it.each([
    [
      { content: null, refusal: 'I can’t help with that.' },
      'stop',
      { text: 'I can’t help with that.', stop: 'refused' },
    ],
    [{ content: 'Once upon a', refusal: null }, 'length', { text: 'Once upon a', stop: 'length' }],
    [{ content: null, refusal: null }, 'content_filter', { text: '', stop: 'filtered' }],
  ])('says why a Try it answer stops short (%o, %s)', async (message, finish_reason, expected) => {
    nock(OPENAI_ORIGIN)
      .post('/v1/chat/completions')
      .reply(200, {
        id: 'chatcmpl-2',
        object: 'chat.completion',
        created: 1,
        model: 'ft:x',
        choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason, logprobs: null }],
      });
    expect(await p().complete('ft:x', 'Hi?')).toEqual(expected);
  });

  it('lists the tunable base models with their catalogue family and methods', async () => {
    const models = await p().models();
    expect(models.map((m) => m.id)).toEqual([
      'gpt-4.1-2025-04-14',
      'gpt-4.1-mini-2025-04-14',
      'gpt-4.1-nano-2025-04-14',
      'gpt-4o-2024-08-06',
      'gpt-4o-mini-2024-07-18',
      'gpt-3.5-turbo-0125',
    ]);
    expect(models.find((m) => m.id === 'gpt-4o-2024-08-06')).toMatchObject({
      family: 'gpt-4o-2024-08-06',
      methods: ['supervised', 'dpo'],
    });
    expect(models.find((m) => m.id === 'gpt-3.5-turbo-0125')?.methods).toEqual(['supervised']);
  });
});
