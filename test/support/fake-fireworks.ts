import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openModelsOf } from '../../src/data/open-models.ts';
import type { TrainingFile } from '../../src/providers/types.ts';

/**
 * A local stand-in for Fireworks AI's REST API (reached through FIREWORKS_BASE_URL), stateful so a
 * job can be walked through its life: the test scripts what Fireworks says with advance(), run(),
 * succeed() and failJob(). Shapes follow Fireworks' API reference and its Python SDK's types
 * (Dataset, SupervisedFineTuningJob, Model, the `nextPageToken` lists): datasets created empty and
 * filled by `:upload` (multipart) or a signed URL (`:getUploadEndpoint`, PUT, `:validateUpload`);
 * jobs created with `?supervisedFineTuningJobId=`; a metrics file behind a signed URL; the
 * OpenAI-compatible chat completions under /inference/v1. Errors are gRPC-gateway bodies
 * (`{code, message, details}`) on the control plane and OpenAI-style ones on inference.
 */

export interface FakeDataset {
  name: string;
  displayName?: string;
  createTime: string;
  updateTime: string;
  state: 'UPLOADING' | 'READY';
  status?: { code: string; message: string };
  userUploaded?: Record<string, never>;
  exampleCount?: string;
  /** What was uploaded, by file name. */
  files: Map<string, Buffer>;
}

export interface FakeJob {
  name: string;
  displayName?: string;
  dataset: string;
  evaluationDataset?: string;
  baseModel?: string;
  warmStartFrom?: string;
  outputModel: string;
  state: string;
  status?: { code: string; message: string };
  createTime: string;
  updateTime: string;
  completedTime?: string;
  epochs?: number;
  learningRate?: number;
  loraRank?: number;
  batchSizeSamples?: number;
  jobProgress?: { percent?: number; epoch?: number; inputTokens?: string };
  metricsFileSignedUrl?: string;
  createdBy: string;
}

export interface FakeModel {
  name: string;
  displayName?: string;
  kind: string;
  tunable: boolean;
  /** Whether chat completions answer for it (a deployment, or serverless). */
  deployed: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  headers: IncomingMessage['headers'];
  body?: unknown;
}

type Failure = { status: number; body: unknown; headers?: Record<string, string> };

const GRPC: Record<number, number> = { 400: 3, 401: 16, 402: 8, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 503: 14 };

export class FakeFireworks {
  readonly datasets = new Map<string, FakeDataset>();
  readonly jobs = new Map<string, FakeJob>();
  readonly models = new Map<string, FakeModel>();
  /** Metrics lines per job name, as the metrics file holds them. */
  readonly metrics = new Map<string, string[]>();
  readonly requests: RecordedRequest[] = [];
  /** After an upload, a dataset reads UPLOADING this many times before READY. */
  processingReads = 0;
  /** Whether `POST …/supervisedFineTuningJobs/<id>:cancel` exists (Fireworks' REST reference has none). */
  cancelRoute = true;
  /** The answer of chat completions, for the "Try it" button. */
  completion = 'A tuned answer.';
  now: () => number = Date.now;
  private server: Server | undefined;
  private readonly failures: Array<{ match: (r: RecordedRequest) => boolean; times: number; reply: Failure }> = [];
  private readonly pendingReads = new Map<string, number>();
  private counter = 0;

  readonly apiKey: string;
  readonly accountId: string;

  constructor(apiKey = 'fw_test_0123456789abcdefghijklmnop', accountId = 'acme') {
    this.apiKey = apiKey;
    this.accountId = accountId;
    for (const m of openModelsOf('fireworks')) {
      this.models.set(m.id, { name: m.id, displayName: m.label, kind: 'HF_BASE_MODEL', tunable: true, deployed: true });
    }
  }

  get account(): string {
    return `accounts/${this.accountId}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => this.grpcError(res, 500, String(error)));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  get baseURL(): string {
    const { port } = (this.server as Server).address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Answers the next `times` matching requests with a failure instead. */
  fail(match: (r: RecordedRequest) => boolean, reply: Failure, times = 1): this {
    this.failures.push({ match, times, reply });
    return this;
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Failures as Fireworks sends them. */
  static unauthenticated(): Failure {
    return { status: 401, body: { code: 16, message: 'unauthenticated: invalid API key', details: [] } };
  }
  static quota(): Failure {
    return {
      status: 402,
      body: { code: 8, message: 'Account acme is suspended: out of credits. Add a payment method.', details: [] },
    };
  }
  static rateLimited(retryAfterSeconds: number): Failure {
    return {
      status: 429,
      body: { code: 8, message: 'rate limit exceeded', details: [] },
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  }
  static unavailable(): Failure {
    return { status: 503, body: { code: 14, message: 'service unavailable', details: [] } };
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  job(id: string): FakeJob {
    const job = this.jobs.get(this.jobName(id));
    if (!job) throw new Error(`no fake job ${id}`);
    return job;
  }

  /** Moves a job on (its update time with it). */
  advance(id: string, change: Partial<FakeJob>): FakeJob {
    const job = this.job(id);
    Object.assign(job, change, { updateTime: this.iso() });
    return job;
  }

  /** The job training, `percent` done, in (0-based) epoch `epoch`. */
  run(id: string, percent: number, epoch = 0): FakeJob {
    return this.advance(id, { state: 'JOB_STATE_RUNNING', jobProgress: { percent, epoch } });
  }

  /** The job done: its model exists (deployed or not) and the tokens it trained are counted. */
  succeed(id: string, o: { deployed?: boolean; tokens?: number } = {}): FakeJob {
    const job = this.advance(id, {
      state: 'JOB_STATE_COMPLETED',
      completedTime: this.iso(),
      jobProgress: { percent: 100, epoch: (this.job(id).epochs ?? 1) - 1, inputTokens: String(o.tokens ?? 12_345) },
    });
    this.models.set(job.outputModel, {
      name: job.outputModel,
      kind: 'HF_PEFT_ADDON',
      tunable: false,
      deployed: o.deployed ?? false,
    });
    return job;
  }

  failJob(id: string, message: string, code = 'INVALID_ARGUMENT'): FakeJob {
    return this.advance(id, { state: 'JOB_STATE_FAILED', status: { code, message }, completedTime: this.iso() });
  }

  /** Appends lines to the job's metrics file. */
  addMetrics(id: string, ...records: unknown[]): void {
    const name = this.jobName(id);
    const lines = this.metrics.get(name) ?? [];
    lines.push(...records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))));
    this.metrics.set(name, lines);
  }

  deploy(model: string): void {
    const m = this.models.get(model);
    if (!m) throw new Error(`no fake model ${model}`);
    m.deployed = true;
  }

  private jobName(id: string): string {
    return id.includes('/') ? id : `${this.account}/supervisedFineTuningJobs/${id}`;
  }

  private iso(): string {
    // Distinct, increasing times: "newer than" is defined.
    return new Date(this.now() + ++this.counter).toISOString();
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const isJson = req.headers['content-type']?.includes('application/json');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      headers: req.headers,
      ...(raw.length > 0 ? { body: isJson ? JSON.parse(raw.toString('utf8')) : raw } : {}),
    };
    this.requests.push(request);
    const failure = this.failures.find((f) => f.times > 0 && f.match(request));
    if (failure) {
      failure.times--;
      return this.send(res, failure.reply.status, failure.reply.body, failure.reply.headers);
    }
    if (request.path.startsWith('/signed/')) return this.signed(request, raw, res);
    if (request.authorization !== `Bearer ${this.apiKey}`) {
      // Fireworks echoes nothing secret, but a proxy might: the adapter must scrub what it shows.
      const presented = request.authorization?.replace(/^Bearer /, '') ?? '';
      return this.grpcError(res, 401, `unauthenticated: API key ${presented} is not valid`);
    }
    if (request.path.startsWith('/inference/')) return this.inference(request, res);
    const account = /^\/v1\/accounts\/([^/]+)\//.exec(request.path)?.[1];
    if (account && account !== this.accountId && account !== 'fireworks') {
      return this.grpcError(res, 403, `permission denied: the API key cannot access accounts/${account}`);
    }
    return this.control(request, raw, req.headers['content-type'] ?? '', res);
  }

  private control(r: RecordedRequest, raw: Buffer, contentType: string, res: ServerResponse) {
    const p = r.path.replace(/^\/v1\//, '');
    const body = (r.body ?? {}) as Record<string, unknown>;
    const datasets = `${this.account}/datasets`;
    const jobs = `${this.account}/supervisedFineTuningJobs`;

    if (/^accounts\/[^/]+\/models\/[^/:]+$/.test(p) && r.method === 'GET') {
      const model = this.models.get(p);
      return model ? this.send(res, 200, model) : this.grpcError(res, 404, `model "${p}" not found`);
    }
    if (p === datasets && r.method === 'POST') {
      const id = String(body.datasetId ?? '');
      if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) return this.grpcError(res, 400, `invalid dataset id "${id}"`);
      const name = `${datasets}/${id}`;
      if (this.datasets.has(name)) return this.grpcError(res, 409, `dataset "${name}" already exists`);
      const spec = (body.dataset ?? {}) as Record<string, unknown>;
      const dataset: FakeDataset = {
        name,
        ...(typeof spec.displayName === 'string' ? { displayName: spec.displayName } : {}),
        createTime: this.iso(),
        updateTime: this.iso(),
        state: 'UPLOADING',
        userUploaded: {},
        files: new Map(),
      };
      this.datasets.set(name, dataset);
      return this.send(res, 200, this.datasetView(dataset));
    }
    if (p === datasets && r.method === 'GET') return this.page(res, 'datasets', [...this.datasets.values()], r.query);
    const ds = /^(accounts\/[^/]+\/datasets\/[^/:]+)(?::(\w+))?$/.exec(p);
    if (ds) {
      const dataset = this.datasets.get(ds[1] as string);
      if (!dataset) return this.grpcError(res, 404, `dataset "${ds[1]}" not found`);
      const verb = ds[2];
      if (!verb && r.method === 'GET') {
        const left = this.pendingReads.get(dataset.name) ?? 0;
        if (left > 0) this.pendingReads.set(dataset.name, left - 1);
        else if (dataset.files.size > 0 && !dataset.status) dataset.state = 'READY';
        return this.send(res, 200, this.datasetView(dataset));
      }
      if (!verb && r.method === 'DELETE') {
        const used = [...this.jobs.values()].some(
          (j) => j.dataset === dataset.name && !/COMPLETED|FAILED|CANCELLED/.test(j.state),
        );
        if (used) return this.grpcError(res, 400, `dataset "${dataset.name}" is used by a running job`);
        this.datasets.delete(dataset.name);
        return this.send(res, 200, {});
      }
      if (verb === 'upload' && r.method === 'POST') {
        const part = multipartFile(raw, contentType);
        if (!part) return this.grpcError(res, 400, 'expected a multipart body with a "file" part');
        return this.received(res, dataset, part.filename, part.content);
      }
      if (verb === 'getUploadEndpoint' && r.method === 'POST') {
        const sizes = (body.filenameToSize ?? {}) as Record<string, string>;
        const id = (ds[1] as string).split('/').pop() as string;
        const urls = Object.fromEntries(
          Object.keys(sizes).map((f) => [
            f,
            `${this.baseURL}/signed/upload/${id}/${encodeURIComponent(f)}?X-Goog-Signature=s3cr3tsig`,
          ]),
        );
        return this.send(res, 200, { filenameToSignedUrls: urls });
      }
      if (verb === 'validateUpload' && r.method === 'POST') {
        if (dataset.files.size === 0) return this.grpcError(res, 400, 'no file was uploaded to the dataset');
        return this.send(res, 200, {});
      }
    }
    if (p === jobs && r.method === 'POST') return this.createJob(r, body, res);
    if (p === jobs && r.method === 'GET')
      return this.page(res, 'supervisedFineTuningJobs', [...this.jobs.values()], r.query);
    const job = /^(accounts\/[^/]+\/supervisedFineTuningJobs\/[^/:]+)(?::(\w+))?$/.exec(p);
    if (job) {
      const found = this.jobs.get(job[1] as string);
      const verb = job[2];
      if (verb === 'cancel' && !this.cancelRoute) return this.send(res, 404, 'Not Found');
      if (!found) return this.grpcError(res, 404, `supervised fine-tuning job "${job[1]}" not found`);
      if (!verb && r.method === 'GET') return this.send(res, 200, this.jobView(found));
      if (!verb && r.method === 'DELETE') {
        this.jobs.delete(found.name);
        return this.send(res, 200, {});
      }
      if (verb === 'cancel' && r.method === 'POST') {
        if (/COMPLETED|FAILED|CANCELLED/.test(found.state)) {
          return this.grpcError(res, 400, `job is already ${found.state}`);
        }
        this.advance(found.name, { state: 'JOB_STATE_CANCELLED', completedTime: this.iso() });
        return this.send(res, 200, {});
      }
    }
    return this.grpcError(res, 404, `fake Fireworks has no route ${r.method} ${r.path}`);
  }

  private createJob(r: RecordedRequest, body: Record<string, unknown>, res: ServerResponse) {
    const id = r.query.get('supervisedFineTuningJobId') ?? `job${++this.counter}`;
    if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) return this.grpcError(res, 400, `invalid job id "${id}"`);
    const name = `${this.account}/supervisedFineTuningJobs/${id}`;
    if (this.jobs.has(name)) return this.grpcError(res, 409, `supervised fine-tuning job "${name}" already exists`);
    const dataset = this.datasets.get(String(body.dataset));
    if (dataset?.state !== 'READY') {
      return this.grpcError(res, 400, `dataset "${String(body.dataset)}" is not ready or does not exist`);
    }
    const base = String(body.baseModel ?? body.warmStartFrom ?? '');
    const model = this.models.get(base);
    if (!model) return this.grpcError(res, 404, `model "${base}" not found`);
    if (body.baseModel && !model.tunable) return this.grpcError(res, 400, `model "${base}" is not tunable`);
    const outputModel = String(body.outputModel ?? `${this.account}/models/${id}`);
    if (this.models.has(outputModel)) return this.grpcError(res, 409, `model "${outputModel}" already exists`);
    const created: FakeJob = {
      name,
      dataset: dataset.name,
      outputModel,
      state: 'JOB_STATE_CREATING',
      createTime: this.iso(),
      updateTime: this.iso(),
      createdBy: 'bot@acme.example',
      metricsFileSignedUrl: `${this.baseURL}/signed/metrics/${id}?X-Goog-Signature=s3cr3tsig`,
      ...pick(body, ['displayName', 'evaluationDataset', 'baseModel', 'warmStartFrom']),
      ...pick(body, ['epochs', 'learningRate', 'loraRank', 'batchSizeSamples']),
    };
    this.jobs.set(name, created);
    return this.send(res, 200, this.jobView(created));
  }

  private received(res: ServerResponse, dataset: FakeDataset, filename: string, content: Buffer) {
    dataset.files.set(filename, content);
    dataset.exampleCount = String(content.toString('utf8').split('\n').filter(Boolean).length);
    dataset.updateTime = this.iso();
    this.pendingReads.set(dataset.name, this.processingReads);
    return this.send(res, 200, {
      id: dataset.name.split('/').pop(),
      object: 'file',
      bytes: content.length,
      created_at: Math.floor(this.now() / 1000),
      filename,
      purpose: 'fine-tune',
    });
  }

  /** What a signed Cloud Storage URL does: uploads by PUT, the metrics file by GET. No bearer. */
  private signed(r: RecordedRequest, raw: Buffer, res: ServerResponse) {
    if (r.query.get('X-Goog-Signature') !== 's3cr3tsig')
      return this.send(res, 403, '<Error>SignatureDoesNotMatch</Error>');
    const upload = /^\/signed\/upload\/([^/]+)\/([^/]+)$/.exec(r.path);
    if (upload && r.method === 'PUT') {
      const dataset = this.datasets.get(`${this.account}/datasets/${upload[1]}`);
      if (!dataset) return this.send(res, 404, '<Error>NoSuchBucket</Error>');
      const range = String(r.headers['x-goog-content-length-range'] ?? '');
      if (range !== `${raw.length},${raw.length}`) return this.send(res, 400, '<Error>EntityTooLarge</Error>');
      dataset.files.set(decodeURIComponent(upload[2] as string), raw);
      dataset.updateTime = this.iso();
      this.pendingReads.set(dataset.name, this.processingReads);
      return this.send(res, 200, '');
    }
    const metrics = /^\/signed\/metrics\/([^/]+)$/.exec(r.path);
    if (metrics && r.method === 'GET') {
      const lines = this.metrics.get(`${this.account}/supervisedFineTuningJobs/${metrics[1]}`);
      if (!lines) return this.send(res, 404, '<Error>NoSuchKey</Error>');
      res.writeHead(200, { 'content-type': 'application/jsonl' });
      return res.end(lines.map((l) => `${l}\n`).join(''));
    }
    return this.send(res, 404, '<Error>NoSuchKey</Error>');
  }

  private inference(r: RecordedRequest, res: ServerResponse) {
    if (r.method !== 'POST' || r.path !== '/inference/v1/chat/completions') {
      return this.send(res, 404, { error: { object: 'error', code: 'NOT_FOUND', message: 'Not found' } });
    }
    const body = r.body as { model: string };
    if (!this.models.get(body.model)?.deployed) {
      return this.send(res, 404, {
        error: {
          object: 'error',
          type: 'invalid_request_error',
          code: 'NOT_FOUND',
          message: 'Model not found, inaccessible, and/or not deployed',
        },
      });
    }
    return this.send(res, 200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(this.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: this.completion }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
    });
  }

  private datasetView(d: FakeDataset) {
    const { files: _files, ...view } = d;
    return view;
  }

  private jobView(j: FakeJob) {
    // The metrics link is there once the trainer has written the file.
    const { metricsFileSignedUrl, ...rest } = j;
    return this.metrics.has(j.name) ? { ...rest, metricsFileSignedUrl } : rest;
  }

  private page(res: ServerResponse, key: string, items: Array<FakeDataset | FakeJob>, query: URLSearchParams) {
    const size = Math.min(Number(query.get('pageSize') ?? 50), 200);
    const start = Number(query.get('pageToken') ?? 0);
    const slice = items.slice(start, start + size);
    const views = slice.map((i) => ('files' in i ? this.datasetView(i) : this.jobView(i)));
    const next = start + size < items.length ? String(start + size) : '';
    return this.send(res, 200, { [key]: views, nextPageToken: next, totalSize: items.length });
  }

  private grpcError(res: ServerResponse, status: number, message: string) {
    return this.send(res, status, { code: GRPC[status] ?? 2, message, details: [] });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(status, { 'content-type': type, 'x-request-id': `req_${++this.counter}`, ...headers });
    res.end(text);
  }
}

function pick(body: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}

/** The "file" part of a multipart body. */
function multipartFile(raw: Buffer, contentType: string): { filename: string; content: Buffer } | undefined {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const start = raw.indexOf(`--${boundary}\r\n`);
  const headerEnd = raw.indexOf('\r\n\r\n', start);
  const end = raw.indexOf(`\r\n--${boundary}--`, headerEnd);
  if (start < 0 || headerEnd < 0 || end < 0) return undefined;
  const headers = raw.subarray(start, headerEnd).toString('utf8');
  if (!/name="file"/.test(headers)) return undefined;
  const filename = /filename="([^"]+)"/.exec(headers)?.[1] ?? 'upload.jsonl';
  return { filename, content: raw.subarray(headerEnd + 4, end) };
}

/** JSONL chat lines, `count` of them. */
export function chatLines(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    out += `${JSON.stringify({
      messages: [
        { role: 'user', content: `q${i}` },
        { role: 'assistant', content: `a${i}` },
      ],
    })}\n`;
  }
  return out;
}

/** A training file read in small chunks, counting how often it was opened. */
export function trainingFile(content: string, name: string, chunkSize = 64): TrainingFile & { opened: number } {
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
