import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for OpenAI's fine-tuning API (reached through OPENAI_BASE_URL), stateful so a
 * job can be walked through its life: the test (or the monitor bench) scripts what the provider
 * says with advance(). Objects follow the shapes of ../shared/openai/openapi.yaml
 * (FineTuningJob, FineTuningJobEvent, FineTuningJobCheckpoint, the paginated lists).
 */

export interface FakeJob {
  object: 'fine_tuning.job';
  id: string;
  model: string;
  created_at: number;
  finished_at: number | null;
  fine_tuned_model: string | null;
  organization_id: string;
  result_files: string[];
  status: string;
  validation_file: string | null;
  training_file: string;
  hyperparameters: {
    batch_size: number | 'auto';
    learning_rate_multiplier: number | 'auto';
    n_epochs: number | 'auto';
  };
  trained_tokens: number | null;
  error: { code: string; message: string; param: string | null } | null;
  seed: number;
  estimated_finish: number | null;
  metadata: Record<string, string> | null;
  method?: unknown;
  suffix?: string | null;
}

export interface FakeEvent {
  object: 'fine_tuning.job.event';
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  type: 'message' | 'metrics';
  data?: Record<string, unknown>;
}

export interface FakeCheckpoint {
  object: 'fine_tuning.job.checkpoint';
  id: string;
  created_at: number;
  fine_tuned_model_checkpoint: string;
  fine_tuning_job_id: string;
  step_number: number;
  metrics: Record<string, number>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body?: unknown;
}

type Failure = { status: number; body: unknown; headers?: Record<string, string> };

export class FakeOpenAI {
  readonly jobs = new Map<string, FakeJob>();
  /** Newest last; the API answers newest first. */
  readonly events = new Map<string, FakeEvent[]>();
  readonly checkpoints = new Map<string, FakeCheckpoint[]>();
  readonly requests: RecordedRequest[] = [];
  readonly files = new Map<string, { id: string; bytes: number; filename: string }>();
  private server: Server | undefined;
  private counter = 0;
  private readonly delays: Array<{ match: (r: RecordedRequest) => boolean; ms: number }> = [];
  private readonly hangs: Array<(r: RecordedRequest) => boolean> = [];
  private readonly failures: Array<{ match: (r: RecordedRequest) => boolean; times: number; reply: Failure }> = [];
  /** The provider's clock (ms), for event and job times; tests align it with the bot's. */
  now: () => number = Date.now;
  /** The answer for chat.completions, for the "Try it" button. */
  completion = 'A tuned answer.';

  private sec(): number {
    return Math.floor(this.now() / 1000);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        // A client killed mid-request (the crash tests) is gone: there is no one to answer.
        if (req.destroyed || res.destroyed) return;
        this.send(res, 500, { error: { message: String(error) } });
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  get baseUrl(): string {
    const { port } = (this.server as Server).address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  /** Answers the next `times` matching requests with a failure instead. */
  fail(match: (r: RecordedRequest) => boolean, reply: Failure, times = 1): this {
    this.failures.push({ match, times, reply });
    return this;
  }

  clearFailures(): void {
    this.failures.length = 0;
    this.delays.length = 0;
    this.hangs.length = 0;
  }

  /**
   * Carries out the next matching request (the file is stored, the job created) but never answers
   * it: the caller's crash while waiting leaves work at the provider it never heard about.
   */
  hang(match: (r: RecordedRequest) => boolean): this {
    this.hangs.push(match);
    return this;
  }

  /** Holds the next matching request for `ms` before answering it (a slow upload, say). */
  delay(match: (r: RecordedRequest) => boolean, ms: number): this {
    this.delays.push({ match, ms });
    return this;
  }

  /** Forgets a job, as if deleted in the provider's console. */
  deleteJob(id: string): void {
    this.jobs.delete(id);
  }

  /** A job as if created earlier (for restart tests and the bench). */
  addJob(partial: Partial<FakeJob> = {}): FakeJob {
    const id = partial.id ?? `ftjob-${(++this.counter).toString().padStart(6, '0')}`;
    const job: FakeJob = {
      object: 'fine_tuning.job',
      id,
      model: 'gpt-4.1-mini-2025-04-14',
      created_at: this.sec() - 60 + this.counter, // distinct, increasing: list order is defined
      finished_at: null,
      fine_tuned_model: null,
      organization_id: 'org-fake',
      result_files: [],
      status: 'validating_files',
      validation_file: null,
      training_file: 'file-train',
      hyperparameters: { batch_size: 'auto', learning_rate_multiplier: 'auto', n_epochs: 'auto' },
      trained_tokens: null,
      error: null,
      seed: 42,
      estimated_finish: null,
      metadata: null,
      ...partial,
    };
    this.jobs.set(id, job);
    this.events.set(id, this.events.get(id) ?? []);
    this.checkpoints.set(id, this.checkpoints.get(id) ?? []);
    return job;
  }

  /** Moves a job on: new fields, and events appended in order (ids and times filled in). */
  advance(id: string, change: Partial<FakeJob> = {}, events: Array<Partial<FakeEvent>> = []): void {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no fake job ${id}`);
    Object.assign(job, change);
    const list = this.events.get(id) ?? [];
    for (const e of events) {
      list.push({
        object: 'fine_tuning.job.event',
        id: `ftevent-${(++this.counter).toString().padStart(8, '0')}`,
        created_at: this.sec(),
        level: 'info',
        message: '',
        type: 'message',
        ...e,
      });
    }
    this.events.set(id, list);
  }

  /** A metrics event as OpenAI writes them. */
  static metrics(step: number, totalSteps: number, trainLoss: number, validLoss?: number): Partial<FakeEvent> {
    return {
      type: 'metrics',
      message: `Step ${step}/${totalSteps}: training loss=${trainLoss}`,
      data: {
        step,
        total_steps: totalSteps,
        train_loss: trainLoss,
        train_mean_token_accuracy: 0.8,
        ...(validLoss !== undefined ? { valid_loss: validLoss, valid_mean_token_accuracy: 0.78 } : {}),
      },
    };
  }

  addCheckpoint(jobId: string, step: number): FakeCheckpoint {
    const cp: FakeCheckpoint = {
      object: 'fine_tuning.job.checkpoint',
      id: `ftckpt-${(++this.counter).toString().padStart(6, '0')}`,
      created_at: this.sec(),
      fine_tuned_model_checkpoint: `ft:gpt-4.1-mini-2025-04-14:acme::ckpt${step}:ckpt-step-${step}`,
      fine_tuning_job_id: jobId,
      step_number: step,
      metrics: { step, train_loss: 0.5, train_mean_token_accuracy: 0.8 },
    };
    this.checkpoints.get(jobId)?.push(cp);
    return cp;
  }

  /** Requests matching a method and a path pattern. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const isJson = req.headers['content-type']?.includes('application/json');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/v1/, ''),
      query: url.searchParams,
      authorization: req.headers.authorization,
      ...(raw.length > 0 ? { body: isJson ? JSON.parse(raw.toString('utf8')) : raw } : {}),
    };
    this.requests.push(request);
    const delay = this.delays.findIndex((d) => d.match(request));
    if (delay >= 0) {
      const [d] = this.delays.splice(delay, 1);
      await new Promise((resolve) => setTimeout(resolve, d?.ms ?? 0));
    }
    const hang = this.hangs.findIndex((h) => h(request));
    if (hang >= 0) {
      this.hangs.splice(hang, 1);
      const sink = { writeHead: () => sink, end: () => sink } as unknown as ServerResponse;
      return this.route(request, raw, sink);
    }
    const failure = this.failures.find((f) => f.times > 0 && f.match(request));
    if (failure) {
      failure.times--;
      return this.send(res, failure.reply.status, failure.reply.body, failure.reply.headers);
    }
    return this.route(request, raw, res);
  }

  private route(r: RecordedRequest, raw: Buffer, res: ServerResponse) {
    const m = (re: RegExp) => r.path.match(re);
    if (r.method === 'POST' && r.path === '/files') {
      const id = `file-${(++this.counter).toString().padStart(6, '0')}`;
      const filename = /filename="([^"]+)"/.exec(raw.toString('latin1'))?.[1] ?? 'upload.jsonl';
      const file = { id, bytes: raw.length, filename };
      this.files.set(id, file);
      return this.send(res, 200, {
        object: 'file',
        ...file,
        created_at: this.sec(),
        purpose: 'fine-tune',
        status: 'processed',
        expires_at: null,
      });
    }
    if (r.method === 'GET' && r.path === '/files') {
      const all = [...this.files.values()].reverse().map((f) => ({
        object: 'file',
        ...f,
        created_at: this.sec(),
        purpose: 'fine-tune',
        status: 'processed',
      }));
      return this.send(res, 200, this.page(all, r.query));
    }
    const file = m(/^\/files\/([^/]+)$/);
    if (file && r.method === 'DELETE') {
      const id = file[1] as string;
      if (!this.files.delete(id)) return this.send(res, 404, { error: { message: `No such File object: ${id}` } });
      return this.send(res, 200, { id, object: 'file', deleted: true });
    }
    if (r.method === 'POST' && r.path === '/fine_tuning/jobs') {
      const body = r.body as Record<string, unknown>;
      const job = this.addJob({
        model: String(body.model),
        training_file: String(body.training_file),
        validation_file: (body.validation_file as string) ?? null,
        metadata: (body.metadata as Record<string, string>) ?? null,
        method: body.method,
        suffix: (body.suffix as string) ?? null,
        created_at: this.sec(),
      });
      this.advance(job.id, {}, [{ message: `Validating training file: ${job.training_file}` }]);
      return this.send(res, 200, job);
    }
    if (r.method === 'GET' && r.path === '/fine_tuning/jobs') {
      let all = [...this.jobs.values()].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1));
      for (const [key, value] of r.query) {
        const k = /^metadata\[(.+)\]$/.exec(key)?.[1];
        if (k) all = all.filter((j) => j.metadata?.[k] === value);
      }
      return this.send(res, 200, this.page(all, r.query));
    }
    const one = m(/^\/fine_tuning\/jobs\/([^/]+)$/);
    if (one && r.method === 'GET') {
      const match = one;
      const job = this.jobs.get(match[1] as string);
      return job ? this.send(res, 200, job) : this.notFound(res, match[1] as string);
    }
    const events = m(/^\/fine_tuning\/jobs\/([^/]+)\/events$/);
    if (events) {
      const match = events;
      if (!this.jobs.has(match[1] as string)) return this.notFound(res, match[1] as string);
      const newestFirst = [...(this.events.get(match[1] as string) ?? [])].reverse();
      return this.send(res, 200, this.page(newestFirst, r.query));
    }
    const checkpoints = m(/^\/fine_tuning\/jobs\/([^/]+)\/checkpoints$/);
    if (checkpoints) {
      const match = checkpoints;
      const newestFirst = [...(this.checkpoints.get(match[1] as string) ?? [])].reverse();
      return this.send(res, 200, this.page(newestFirst, r.query));
    }
    const cancel = m(/^\/fine_tuning\/jobs\/([^/]+)\/cancel$/);
    if (cancel && r.method === 'POST') {
      const match = cancel;
      const job = this.jobs.get(match[1] as string);
      if (!job) return this.notFound(res, match[1] as string);
      job.status = 'cancelled';
      job.finished_at = this.sec();
      return this.send(res, 200, job);
    }
    if (r.method === 'POST' && r.path === '/chat/completions') {
      const body = r.body as { model: string };
      return this.send(res, 200, {
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: this.sec(),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: this.completion, refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
      });
    }
    return this.send(res, 404, { error: { message: `fake OpenAI has no route ${r.method} ${r.path}` } });
  }

  private page<T extends { id: string }>(items: T[], query: URLSearchParams) {
    const after = query.get('after');
    const limit = Number(query.get('limit') ?? 20);
    const start = after ? items.findIndex((i) => i.id === after) + 1 : 0;
    const data = items.slice(start, start + limit);
    return { object: 'list', data, has_more: start + limit < items.length };
  }

  private notFound(res: ServerResponse, id: string) {
    return this.send(res, 404, {
      error: {
        message: `No such fine-tuning job: ${id}`,
        type: 'invalid_request_error',
        param: 'fine_tuning_job_id',
        code: null,
      },
    });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${++this.counter}`, ...headers });
    res.end(JSON.stringify(body));
  }
}
