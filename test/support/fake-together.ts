import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Together AI's fine-tuning API (reached through TOGETHER_BASE_URL), stateful
 * so a job can be walked through its life with advance(). Shapes follow togethercomputer/openapi
 * (FinetuneResponse, FineTuneEvent, FileResponse, ErrorData); the upload is the SDK's: POST /files
 * answers 302 to a signed URL (served here too, under /signed/) and the bytes are PUT there.
 */

export interface TogetherFakeJob {
  id: string;
  status: string;
  model: string;
  model_output_name: string;
  training_file: string;
  validation_file?: string;
  suffix?: string;
  created_at: string;
  updated_at: string;
  n_epochs: number;
  n_evals: number;
  n_checkpoints: number;
  batch_size: number | string;
  learning_rate: number;
  training_type?: unknown;
  training_method?: unknown;
  epochs_completed?: number;
  token_count?: number;
  progress?: { estimate_available: boolean; seconds_remaining: number };
}

export interface TogetherFakeEvent {
  object: 'fine-tune-event';
  created_at: string;
  level: string | null;
  message: string;
  type: string;
  step: number;
  total_steps: number;
  token_count: number;
  checkpoint_path: string;
  model_path: string;
  hash: string;
}

export interface TogetherRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body?: unknown;
  bytes?: number;
}

type Failure = { status: number; body?: unknown; headers?: Record<string, string> };

export class FakeTogether {
  readonly jobs = new Map<string, TogetherFakeJob>();
  readonly events = new Map<string, TogetherFakeEvent[]>();
  readonly metrics = new Map<string, Array<Record<string, number>>>();
  readonly checkpoints = new Map<
    string,
    Array<{ step: number; path: string; created_at: string; checkpoint_type: string }>
  >();
  readonly files = new Map<
    string,
    { id: string; filename: string; bytes: number; purpose: string; content?: string }
  >();
  readonly requests: TogetherRequest[] = [];
  /** Models /fine-tunes/models/supported lists. */
  supported = ['meta-llama/Meta-Llama-3.1-8B-Instruct-Reference', 'Qwen/Qwen3-8B'];
  /** What chat completions answers; a model not in `served` gets 404. */
  completion = 'A tuned answer from Together.';
  readonly served = new Set<string>();
  apiKey = 'tgp_v1_test-key-0123456789';
  private server: Server | undefined;
  private counter = 0;
  private readonly failures: Array<{ match: (r: TogetherRequest) => boolean; times: number; reply: Failure }> = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) =>
        this.send(res, 500, { error: { message: String(error), type: 'server' } }),
      );
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  get origin(): string {
    const { port } = (this.server as Server).address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  /** Answers the next `times` matching requests with a failure instead. */
  fail(match: (r: TogetherRequest) => boolean, reply: Failure, times = 1): this {
    this.failures.push({ match, times, reply });
    return this;
  }

  calls(method: string, path: string | RegExp): TogetherRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  /** Moves a job on: new fields, and events appended in order. */
  advance(id: string, change: Partial<TogetherFakeJob> = {}, events: Array<Partial<TogetherFakeEvent>> = []): void {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no fake Together job ${id}`);
    Object.assign(job, change, { updated_at: new Date().toISOString() });
    const list = this.events.get(id) ?? [];
    for (const e of events) {
      list.push({
        object: 'fine-tune-event',
        created_at: new Date().toISOString(),
        level: 'info',
        message: '',
        type: 'job_start',
        step: 0,
        total_steps: 0,
        token_count: 0,
        checkpoint_path: '',
        model_path: '',
        hash: `h${++this.counter}`,
        ...e,
      });
    }
    this.events.set(id, list);
  }

  /** Metrics rows as /fine-tunes/{id}/metrics gives them: training and evaluation apart. */
  addMetrics(id: string, step: number, trainLoss: number, evalLoss?: number): void {
    this.addEval(id, step, undefined);
    const rows = this.metrics.get(id) ?? [];
    rows.push({ 'train/global_step': step, 'train/loss': trainLoss, 'train/learning_rate': 0.0001 });
    this.metrics.set(id, rows);
    if (evalLoss !== undefined) this.addEval(id, step, evalLoss);
  }

  /** An evaluation row alone (Together writes them after the step's training row). */
  addEval(id: string, step: number, evalLoss: number | undefined): void {
    if (evalLoss === undefined) return;
    const rows = this.metrics.get(id) ?? [];
    rows.push({ 'eval/global_step': step, 'eval/loss': evalLoss });
    this.metrics.set(id, rows);
  }

  /** The one job made (most tests start one). */
  onlyJob(): TogetherFakeJob {
    const [job, ...more] = [...this.jobs.values()];
    if (!job || more.length > 0) throw new Error(`expected one Together job, found ${this.jobs.size}`);
    return job;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const type = req.headers['content-type'] ?? '';
    let body: unknown;
    if (type.includes('json') && raw.length > 0) body = JSON.parse(raw.toString('utf8'));
    const record: TogetherRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      ...(body !== undefined ? { body } : {}),
      bytes: raw.length,
    };
    this.requests.push(record);
    const failure = this.failures.find((f) => f.times > 0 && f.match(record));
    if (failure) {
      failure.times--;
      this.send(
        res,
        failure.reply.status,
        failure.reply.body ?? { error: { message: 'injected', type: 'server_error' } },
        failure.reply.headers,
      );
      return;
    }
    const path = url.pathname;
    if (path.startsWith('/signed/')) return this.putSigned(res, path.slice('/signed/'.length), raw, record);
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return this.send(res, 401, {
        error: { message: 'Invalid API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    }
    const route = `${record.method} ${path.replace(/^\/v1/, '')}`;
    const id = /^[A-Z]+ \/(?:files|fine-tunes)\/([^/]+)/.exec(route)?.[1];
    const jobRoutes: Record<string, (j: TogetherFakeJob) => unknown> = {
      [`GET /fine-tunes/${id}`]: (j) => ({ ...j, events: this.events.get(j.id) ?? [] }),
      [`GET /fine-tunes/${id}/events`]: (j) => ({ data: this.events.get(j.id) ?? [] }),
      [`GET /fine-tunes/${id}/metrics`]: (j) => ({ metrics: this.metrics.get(j.id) ?? [] }),
      [`GET /fine-tunes/${id}/checkpoints`]: (j) => ({ data: this.checkpoints.get(j.id) ?? [] }),
      [`POST /fine-tunes/${id}/cancel`]: (j) => {
        if (!['completed', 'error', 'cancelled'].includes(j.status)) j.status = 'cancel_requested';
        return { ...j };
      },
    };
    if (route === 'POST /files') return this.createFile(res, url.searchParams);
    if (route === 'GET /files') return this.send(res, 200, { data: [...this.files.values()].reverse().map(fileJson) });
    if (id && (route === `GET /files/${id}` || route === `DELETE /files/${id}`)) {
      return this.file(res, record.method, decodeURIComponent(id));
    }
    if (route === 'GET /fine-tunes/models/supported') return this.send(res, 200, { models: this.supported });
    if (route === 'POST /fine-tunes') return this.createJob(res, body as Record<string, unknown>);
    if (route === 'GET /fine-tunes') {
      return this.send(res, 200, { data: [...this.jobs.values()].map((j) => ({ ...j })) });
    }
    const jobRoute = id ? jobRoutes[route] : undefined;
    if (jobRoute) return this.withJob(res, id, jobRoute);
    if (route === 'POST /chat/completions') {
      const model = String((body as { model?: unknown })?.model ?? '');
      if (!this.served.has(model)) {
        return this.send(res, 404, {
          error: {
            message: `Unable to access model ${model}.`,
            type: 'invalid_request_error',
            code: 'model_not_available',
          },
        });
      }
      return this.send(res, 200, {
        id: 'chat-1',
        choices: [{ index: 0, message: { role: 'assistant', content: this.completion } }],
      });
    }
    this.send(res, 404, { error: { message: `no route ${route}`, type: 'not_found' } });
  }

  private createFile(res: ServerResponse, query: URLSearchParams) {
    const id = `file-${(++this.counter).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    this.files.set(id, {
      id,
      filename: query.get('file_name') ?? 'upload.jsonl',
      bytes: 0,
      purpose: query.get('purpose') ?? '',
    });
    res.writeHead(302, { location: `${this.origin}/signed/${id}?sig=abc`, 'x-together-file-id': id });
    res.end();
  }

  private putSigned(res: ServerResponse, id: string, raw: Buffer, record: TogetherRequest) {
    const file = this.files.get(id);
    if (!file || record.method !== 'PUT')
      return this.send(res, 403, { error: { message: 'bad signature', type: 'auth' } });
    if (record.authorization)
      return this.send(res, 400, { error: { message: 'signed URLs take no Authorization header', type: 'bad' } });
    file.bytes = raw.length;
    file.content = raw.toString('utf8');
    res.writeHead(200).end();
  }

  private file(res: ServerResponse, method: string, id: string) {
    const file = this.files.get(id);
    if (!file) return this.send(res, 404, { error: { message: `File ${id} not found`, type: 'not_found' } });
    if (method === 'DELETE') {
      this.files.delete(id);
      return this.send(res, 200, { id, deleted: true });
    }
    this.send(res, 200, fileJson(file));
  }

  private createJob(res: ServerResponse, body: Record<string, unknown>) {
    const model = String(body.model ?? '');
    if (!this.supported.includes(model)) {
      return this.send(res, 400, {
        error: {
          message: `Model ${model} is not supported for fine-tuning`,
          type: 'invalid_request_error',
          param: 'model',
        },
      });
    }
    const file = this.files.get(String(body.training_file ?? ''));
    if (!file)
      return this.send(res, 400, {
        error: { message: 'training_file not found', type: 'invalid_request_error', param: 'training_file' },
      });
    const id = `ft-${(++this.counter).toString(16).padStart(8, '0')}-1111-4111-8111-111111111111`;
    const now = new Date().toISOString();
    const job: TogetherFakeJob = {
      id,
      status: 'pending',
      model,
      model_output_name: `team/${model.split('/').pop()}-${String(body.suffix ?? 'ft')}-${id.slice(3, 11)}`,
      training_file: file.id,
      ...(typeof body.validation_file === 'string' ? { validation_file: body.validation_file } : {}),
      ...(typeof body.suffix === 'string' ? { suffix: body.suffix } : {}),
      created_at: now,
      updated_at: now,
      n_epochs: typeof body.n_epochs === 'number' ? body.n_epochs : 1,
      n_evals: typeof body.n_evals === 'number' ? body.n_evals : 0,
      n_checkpoints: typeof body.n_checkpoints === 'number' ? body.n_checkpoints : 1,
      batch_size: (body.batch_size as number | undefined) ?? 'max',
      learning_rate: typeof body.learning_rate === 'number' ? body.learning_rate : 0.00001,
      training_type: body.training_type,
      training_method: body.training_method,
    };
    this.jobs.set(id, job);
    this.advance(id, {}, [{ type: 'job_pending', message: 'Fine tune request created' }]);
    this.send(res, 200, { ...job });
  }

  private withJob(res: ServerResponse, id: string | undefined, answer: (job: TogetherFakeJob) => unknown) {
    const job = this.jobs.get(decodeURIComponent(id ?? ''));
    if (!job) return this.send(res, 404, { error: { message: `Fine-tune job ${id} not found`, type: 'not_found' } });
    this.send(res, 200, answer(job));
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }
}

function fileJson(f: { id: string; filename: string; bytes: number; purpose: string }) {
  return {
    id: f.id,
    object: 'file',
    created_at: 1_700_000_000,
    filename: f.filename,
    bytes: f.bytes,
    purpose: f.purpose,
    Processed: true,
    FileType: 'jsonl',
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
