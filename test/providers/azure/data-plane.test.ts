import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { azureBaseURL, createAzureOpenAIProvider } from '../../../src/providers/azure/data-plane.ts';
import { fixture, spec, trainingFile, useNock } from '../openai/support.ts';

const ENDPOINT = 'https://my-resource.openai.azure.com';
const KEY = '0123456789abcdef0123456789abcdef';
const ref = { provider: 'azure' as const, id: 'ftjob-0123456789abcdef0123456789abcdef' };
const emptyList = { object: 'list', data: [], has_more: false };
const withKey = () => createAzureOpenAIProvider({ endpoint: `${ENDPOINT}/`, auth: { apiKey: KEY }, maxRetries: 0 });
const azureError = (status: number, code: string, message: string) => [status, { error: { code, message } }] as const;

describe('Azure OpenAI data plane', () => {
  useNock();

  it('builds the v1 base URL from any form of the endpoint', () => {
    expect(azureBaseURL('https://r.openai.azure.com')).toBe('https://r.openai.azure.com/openai/v1/');
    expect(azureBaseURL('https://r.openai.azure.com/')).toBe('https://r.openai.azure.com/openai/v1/');
    expect(azureBaseURL('https://r.openai.azure.com/openai/v1/')).toBe('https://r.openai.azure.com/openai/v1/');
  });

  it('sends a key in the api-key header, no Authorization and no api-version', async () => {
    let headers: Headers | undefined;
    let search = '';
    nock(ENDPOINT)
      .get('/openai/v1/fine_tuning/jobs/ftjob-0123456789abcdef0123456789abcdef')
      .reply((req: Request) => {
        headers = req.headers;
        search = new URL(req.url).search;
        return [200, fixture('job-azure-pending')];
      });
    const snapshots = await withKey().snapshots([ref]);
    expect(headers?.get('api-key')).toBe(KEY);
    expect(headers?.get('authorization')).toBeNull();
    expect(search).toBe('');
    // Azure's `pending`, null organization and result files.
    expect(snapshots.get(ref.id)).toMatchObject({
      state: 'queued',
      providerStatus: 'pending',
      model: 'gpt-4.1-mini-2025-04-14',
    });
  });

  it('sends Entra tokens as a bearer, asking for one per request, and scrubs one echoed back', async () => {
    let n = 0;
    const tokens: string[] = [];
    const provider = createAzureOpenAIProvider({
      endpoint: ENDPOINT,
      auth: { tokenProvider: async () => `eyJ0eXAiOiJKV1Qi.token-${++n}-abcdefgh.sig` },
      maxRetries: 0,
    });
    nock(ENDPOINT)
      .post('/openai/v1/fine_tuning/jobs/ftjob-0123456789abcdef0123456789abcdef/cancel')
      .reply((req: Request) => {
        tokens.push(req.headers.get('authorization') ?? '');
        return [200, { ...fixture('job-azure-pending'), status: 'cancelled' }];
      })
      .post('/openai/v1/fine_tuning/jobs/ftjob-0123456789abcdef0123456789abcdef/cancel')
      .reply(401, { error: { code: '401', message: 'Token eyJ0eXAiOiJKV1Qi.token-2-abcdefgh.sig is expired.' } });
    await provider.cancel(ref);
    const error = (await provider.cancel(ref).catch((e: unknown) => e)) as Error & { kind: string; hint: string };
    expect(tokens).toEqual(['Bearer eyJ0eXAiOiJKV1Qi.token-1-abcdefgh.sig']);
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('token-2');
    expect(error.hint).toMatch(/AZURE_OPENAI_API_KEY|Entra/);
  });

  it('sends the training tier: developer → developerTier, and Global training by default', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    nock(ENDPOINT)
      .get('/openai/v1/fine_tuning/jobs')
      .query(true)
      .times(2)
      .reply(200, emptyList)
      .post('/openai/v1/fine_tuning/jobs', (b) => {
        bodies.push(b);
        return true;
      })
      .times(2)
      .reply(200, fixture('job-azure-pending'));
    await withKey().start(spec({ id: 'job-az1', trainingType: 'developer', suffix: 'support_bot-2' }));
    await withKey().start(spec({ id: 'job-az2' }));
    expect(bodies.map((b) => b.trainingType)).toEqual(['developerTier', 'globalstandard']);
    expect(bodies[0]).toMatchObject({
      suffix: 'support_bot-2',
      metadata: { ftbot_job_id: 'job-az1' },
      method: { type: 'supervised' },
    });
  });

  it('still starts the job when the metadata filter itself is refused', async () => {
    nock(ENDPOINT)
      .get('/openai/v1/fine_tuning/jobs')
      .query(true)
      .reply(...azureError(400, 'invalidParameter', 'Unknown query parameter metadata[ftbot_job_id].'))
      .post('/openai/v1/fine_tuning/jobs')
      .reply(200, fixture('job-azure-pending'));
    await expect(withKey().start(spec())).resolves.toEqual(ref);
  });

  it.each([
    ['too long', 'x'.repeat(41)],
    ['a space', 'support bot'],
    ['a dot', 'v1.2'],
  ])('refuses a suffix with %s before calling Azure', async (_why, suffix) => {
    await expect(withKey().start(spec({ suffix }))).rejects.toMatchObject({ kind: 'invalid_request' });
  });

  it('explains the one-running-job limit in plain words', async () => {
    nock(ENDPOINT)
      .get('/openai/v1/fine_tuning/jobs')
      .query(true)
      .reply(200, emptyList)
      .post('/openai/v1/fine_tuning/jobs')
      .reply(...azureError(409, 'conflict', 'Only one fine-tuning job can be running at a time for this resource.'));
    await expect(withKey().start(spec())).rejects.toMatchObject({
      kind: 'rate_limit',
      hint: expect.stringMatching(/one job at a time/),
    });
  });

  it('says "base model does not support fine-tuning" is often the region or the training type', async () => {
    nock(ENDPOINT)
      .get('/openai/v1/fine_tuning/jobs')
      .query(true)
      .reply(200, emptyList)
      .post('/openai/v1/fine_tuning/jobs')
      .reply(...azureError(400, 'invalidPayload', 'The specified base model does not support fine-tuning.'));
    const error = (await withKey()
      .start(spec())
      .catch((e: unknown) => e)) as { kind: string; hint: string };
    expect(error.kind).toBe('invalid_request');
    expect(error.hint).toMatch(/region/);
    expect(error.hint).toMatch(/training type/);
  });

  it('reads Azure’s `warning` level', async () => {
    nock(ENDPOINT)
      .get('/openai/v1/fine_tuning/jobs/ftjob-0123456789abcdef0123456789abcdef/events')
      .query(true)
      .reply(200, {
        object: 'list',
        data: [
          {
            object: 'fine_tuning.job.event',
            id: 'ftevent-2',
            created_at: 1743000100,
            level: 'warning',
            message: 'Some lines were truncated.',
            type: 'message',
          },
          {
            object: 'fine_tuning.job.event',
            id: 'ftevent-1',
            created_at: 1743000000,
            level: 'info',
            message: 'Job enqueued.',
            type: 'message',
          },
        ],
        has_more: false,
      });
    const page = await withKey().events(ref, null);
    expect(page.events.map((e) => e.level)).toEqual(['info', 'warning']);
    expect(page.cursor).toBe('ftevent-2');
  });

  it('tries a tuned model through its deployment name, and says to deploy when there is none', async () => {
    let model = '';
    nock(ENDPOINT)
      .post('/openai/v1/chat/completions', (b) => {
        model = b.model;
        return true;
      })
      .reply(200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4.1-mini-2025-04-14.ft-0123abcd',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Tuned answer.' }, finish_reason: 'stop' }],
      })
      .post('/openai/v1/chat/completions')
      .reply(...azureError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist.'));
    await expect(withKey().complete('support-bot-ft', 'Hi?')).resolves.toEqual({ text: 'Tuned answer.' });
    expect(model).toBe('support-bot-ft');
    await expect(withKey().complete('not-deployed', 'Hi?')).rejects.toMatchObject({
      kind: 'not_found',
      hint: expect.stringContaining('deploy'),
    });
  });

  it('refuses a file above 512 MB without sending anything (no Uploads API on Azure)', async () => {
    const provider = createAzureOpenAIProvider({
      endpoint: ENDPOINT,
      auth: { apiKey: KEY },
      upload: { threshold: 100 },
    });
    await expect(provider.prepare(trainingFile('x'.repeat(200)))).rejects.toMatchObject({ kind: 'invalid_file' });
  });

  it('uploads a file with purpose fine-tune to /openai/v1/files', async () => {
    nock(ENDPOINT)
      .post('/openai/v1/files', (b) => /name="purpose"\r\n\r\nfine-tune/.test(String(b)))
      .reply(200, { ...fixture('file'), id: 'file-0123456789abcdef', status: 'pending' })
      .get('/openai/v1/files/file-0123456789abcdef')
      .reply(200, { ...fixture('file'), id: 'file-0123456789abcdef', status: 'processed' });
    const provider = createAzureOpenAIProvider({
      endpoint: ENDPOINT,
      auth: { apiKey: KEY },
      upload: { pollIntervalMs: 0 },
    });
    await expect(provider.prepare(trainingFile('{"messages":[]}\n'))).resolves.toMatchObject({
      provider: 'azure',
      id: 'file-0123456789abcdef',
    });
  });

  it('offers the models in Azure’s fine-tuning table', async () => {
    const models = await withKey().models();
    expect(models.map((m) => m.id)).toEqual([
      'gpt-4.1-2025-04-14',
      'gpt-4.1-mini-2025-04-14',
      'gpt-4.1-nano-2025-04-14',
      'gpt-4o-2024-08-06',
      'gpt-4o-mini-2024-07-18',
    ]);
    expect(models.find((m) => m.id === 'gpt-4o-mini-2024-07-18')?.methods).toEqual(['supervised']);
  });
});
