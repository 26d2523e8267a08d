import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local stand-in for the Kubernetes API server, for the Kubernetes provider's tests: the calls
 * the provider makes, answered as a real API server does (the objects as JSON with metadata, uid,
 * resourceVersion and status; errors as Status objects with reason and code; pod logs as text). It
 * plays the Job controller, the scheduler and the kubelet only when a test says so (schedule,
 * run, log, finish), and the garbage collector at once: deleting a Job deletes its pods and what
 * it owns. A kubeconfig pointing at it is written to a temporary file.
 */

// biome-ignore lint/suspicious/noExplicitAny: API objects are free-form JSON here, read and written at any depth.
type Obj = Record<string, any>;

export interface K8sRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
}

const TOKEN = 'fake-k8s-token';
const MAX_SECRET_BYTES = 1024 * 1024;

function status(code: number, reason: string, message: string, details: Obj = {}): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

type Reply = { code: number; body: Obj | string };

const fail = (code: number, reason: string, message: string, details: Obj = {}): Reply => ({
  code,
  body: status(code, reason, message, details),
});

const success = (details: Obj): Reply => ({
  code: 200,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details },
});

const cond = (type: string, value: string, at: string, reason?: string, message?: string): Obj => ({
  type,
  status: value,
  lastTransitionTime: at,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

const trainerStatus = (pod: Obj, state: Obj, ready: boolean): Obj => ({
  name: 'trainer',
  ready,
  restartCount: 0,
  image: pod.spec.containers[0].image,
  ...(state.running ? { started: true } : {}),
  state,
});

/** `a=b`, `a in (x,y)`, comma-separated (commas inside parentheses belong to the set). */
function matches(labels: Obj | undefined, selector: string | null): boolean {
  if (!selector) return true;
  const parts = selector.split(/,(?![^(]*\))/).map((s) => s.trim());
  return parts.every((part) => {
    const set = /^([^\s]+)\s+in\s+\((.*)\)$/.exec(part);
    if (set)
      return (
        set[2]
          ?.split(',')
          .map((v) => v.trim())
          .includes(labels?.[set[1] as string]) ?? false
      );
    const [key, value] = part.split('=');
    return labels?.[key as string] === value;
  });
}

export class FakeK8s {
  readonly jobs = new Map<string, Obj>();
  readonly secrets = new Map<string, Obj>();
  readonly pods = new Map<string, Obj>();
  readonly logs = new Map<string, Array<{ at: number; line: string }>>();
  readonly requests: K8sRequest[] = [];
  /** Another replica creates the Job just before this server sees the create: it answers 409. */
  raceOnCreate = false;
  /** Every connection is dropped at once, as by an API server going away. */
  down = false;
  token = TOKEN;
  private server: Server | undefined;
  private version = 1;

  readonly namespace: string;

  constructor(namespace = 'ml') {
    this.namespace = namespace;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (this.down) {
        req.socket.destroy();
        return;
      }
      void this.handle(req, res);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  get url(): string {
    if (!this.server) throw new Error('the fake API server is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig file for this server (or for `server`, e.g. a port nothing listens on). */
  kubeconfig(server = this.url, token = TOKEN): string {
    const dir = mkdtempSync(join(tmpdir(), 'fake-k8s-'));
    const path = join(dir, 'kubeconfig');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        // Plain HTTP on loopback: the client takes it only with TLS verification off.
        `- name: fake\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
        'users:',
        `- name: bot\n  user:\n    token: ${token}`,
        'contexts:',
        `- name: fake\n  context:\n    cluster: fake\n    user: bot\n    namespace: ${this.namespace}`,
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return path;
  }

  // --- what the cluster does, when the test says ---------------------------------------------

  /** The pod the Job controller made for the Job. */
  podOf(jobName: string): Obj | undefined {
    return [...this.pods.values()].find((p) => p.metadata.labels['batch.kubernetes.io/job-name'] === jobName);
  }

  private mustPod(jobName: string): Obj {
    const pod = this.podOf(jobName);
    if (!pod) throw new Error(`no pod for ${jobName}`);
    return pod;
  }

  /** The scheduler could not place it: PodScheduled False, Unschedulable. */
  unschedulable(jobName: string, message: string): void {
    const at = new Date().toISOString();
    this.mustPod(jobName).status.conditions = [cond('PodScheduled', 'False', at, 'Unschedulable', message)];
  }

  /** Bound to a node; the container waits (ContainerCreating, ImagePullBackOff, …). */
  waiting(jobName: string, reason: string, message = ''): void {
    const pod = this.mustPod(jobName);
    const at = new Date().toISOString();
    pod.spec.nodeName = 'gpu-node-1';
    pod.status = {
      phase: 'Pending',
      startTime: at,
      conditions: [cond('PodScheduled', 'True', at)],
      containerStatuses: [trainerStatus(pod, { waiting: { reason, message } }, false)],
    };
  }

  /** The container runs; `startedAt` backdates the pod (the GPU is the job's from then). */
  run(jobName: string, startedAt = new Date()): void {
    const pod = this.mustPod(jobName);
    const at = startedAt.toISOString();
    pod.spec.nodeName = 'gpu-node-1';
    pod.status = {
      phase: 'Running',
      startTime: at,
      podIP: '10.0.0.7',
      conditions: [cond('PodScheduled', 'True', at), cond('Ready', 'True', at)],
      containerStatuses: [trainerStatus(pod, { running: { startedAt: at } }, true)],
    };
    const job = this.jobs.get(jobName) as Obj;
    job.status = { ...job.status, active: 1, ready: 1, startTime: job.status.startTime ?? at };
  }

  /** Lines in the trainer container's log (objects as the trainer writes them: one JSON line each). */
  log(jobName: string, ...lines: Array<string | Obj>): void {
    const name = this.mustPod(jobName).metadata.name;
    const list = this.logs.get(name) ?? [];
    for (const l of lines) list.push({ at: Date.now(), line: typeof l === 'string' ? l : JSON.stringify(l) });
    this.logs.set(name, list);
  }

  /** The container ended: exit 0 completes the Job, anything else fails it (backoffLimit 0). */
  finish(jobName: string, exitCode: number, opts: { reason?: string; finishedAt?: Date } = {}): void {
    const pod = this.mustPod(jobName);
    const at = (opts.finishedAt ?? new Date()).toISOString();
    const startedAt = pod.status.containerStatuses?.[0]?.state?.running?.startedAt ?? pod.status.startTime;
    const reason = opts.reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    pod.status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
    pod.status.containerStatuses = [
      trainerStatus(pod, { terminated: { exitCode, reason, startedAt, finishedAt: at } }, false),
    ];
    const job = this.jobs.get(jobName) as Obj;
    const limit = 'Job has reached the specified backoff limit';
    job.status = {
      ...job.status,
      active: 0,
      ready: 0,
      ...(exitCode === 0 ? { succeeded: 1, completionTime: at } : { failed: 1 }),
      conditions:
        exitCode === 0
          ? [
              cond('SuccessCriteriaMet', 'True', at, 'CompletionsReached'),
              cond('Complete', 'True', at, 'CompletionsReached'),
            ]
          : [
              cond('FailureTarget', 'True', at, 'BackoffLimitExceeded', limit),
              cond('Failed', 'True', at, 'BackoffLimitExceeded', limit),
            ],
    };
  }

  // --- the API -------------------------------------------------------------------------------

  private meta(body: Obj, extra: Obj = {}): Obj {
    return {
      ...body.metadata,
      namespace: this.namespace,
      uid: randomUUID(),
      resourceVersion: String(this.version++),
      creationTimestamp: new Date().toISOString(),
      ...extra,
    };
  }

  private createJob(body: Obj): Obj {
    const job: Obj = { ...body, metadata: this.meta(body, { generation: 1 }), status: {} };
    const { name, uid } = job.metadata;
    job.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    this.jobs.set(name, job);
    // The Job controller's pod: pending, not yet looked at by the scheduler.
    const template = job.spec.template;
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: this.meta(
        { metadata: { name: `${name}-${randomBytes(3).toString('hex').slice(0, 5)}` } },
        {
          labels: { ...template.metadata.labels, ...labels },
          annotations: { ...template.metadata.annotations },
          ownerReferences: [
            { apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true },
          ],
        },
      ),
      spec: structuredClone(template.spec),
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    };
    this.pods.set(pod.metadata.name, pod);
    return job;
  }

  /** The garbage collector, at once: the Job's pods, and what the Job owns. */
  private deleteJob(name: string): void {
    const job = this.jobs.get(name) as Obj;
    this.jobs.delete(name);
    for (const [podName, pod] of this.pods) {
      if (pod.metadata.labels['batch.kubernetes.io/job-name'] === name) this.pods.delete(podName);
    }
    for (const [secretName, secret] of this.secrets) {
      if (secret.metadata.ownerReferences?.some((r: Obj) => r.uid === job.metadata.uid))
        this.secrets.delete(secretName);
    }
  }

  private tooLarge(secret: Obj): Reply | undefined {
    const bytes = Object.values(secret.data ?? {}).reduce(
      (n: number, v) => n + Buffer.from(String(v), 'base64').length,
      0,
    );
    if (bytes <= MAX_SECRET_BYTES) return undefined;
    const message = `Secret "${secret.metadata.name}" is invalid: data: Too long: must have at most ${MAX_SECRET_BYTES} bytes`;
    return fail(422, 'Invalid', message);
  }

  /** RFC 6902 add / replace / remove: what the provider sends. */
  private patch(target: Obj, ops: Obj[]): void {
    for (const op of ops) {
      const keys = String(op.path)
        .split('/')
        .slice(1)
        .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
      let at = target;
      for (const key of keys.slice(0, -1)) at = at[key] ??= {};
      const last = keys.at(-1) as string;
      if (op.op === 'add' || op.op === 'replace') at[last] = op.value;
      else if (op.op === 'remove') delete at[last];
    }
  }

  private logText(podName: string, q: URLSearchParams): Reply {
    const pod = this.pods.get(podName);
    if (!pod) return fail(404, 'NotFound', `pods "${podName}" not found`, { name: podName, kind: 'pods' });
    const state = pod.status.containerStatuses?.[0]?.state ?? {};
    if (!state.running && !state.terminated) {
      const why = state.waiting?.reason ?? 'ContainerCreating';
      return fail(400, 'BadRequest', `container "trainer" in pod "${podName}" is waiting to start: ${why}`);
    }
    let lines = this.logs.get(podName) ?? [];
    const since = q.get('sinceSeconds');
    if (since) lines = lines.filter((l) => l.at >= Date.now() - Number(since) * 1000);
    const tail = q.get('tailLines');
    if (tail) lines = lines.slice(-Number(tail));
    const text = lines.map((l) => `${l.line}\n`).join('');
    const limit = q.get('limitBytes');
    return { code: 200, body: limit ? Buffer.from(text).subarray(0, Number(limit)).toString('utf8') : text };
  }

  private list(kind: 'Job' | 'Pod', items: Iterable<Obj>, q: URLSearchParams): Reply {
    const selected = [...items].filter((o) => matches(o.metadata.labels, q.get('labelSelector')));
    return {
      code: 200,
      body: {
        kind: `${kind}List`,
        apiVersion: kind === 'Job' ? 'batch/v1' : 'v1',
        metadata: { resourceVersion: String(this.version) },
        items: selected.slice(0, Number(q.get('limit')) || undefined),
      },
    };
  }

  private route(method: string, path: string, q: URLSearchParams, body: Obj): Reply {
    const ns = this.namespace;
    const jobs = `/apis/batch/v1/namespaces/${ns}/jobs`;
    const secrets = `/api/v1/namespaces/${ns}/secrets`;
    const pods = `/api/v1/namespaces/${ns}/pods`;
    if (path === jobs && method === 'GET') return this.list('Job', this.jobs.values(), q);
    if (path === jobs && method === 'POST') {
      const name = body.metadata.name;
      if (this.raceOnCreate && !this.jobs.has(name)) this.createJob(structuredClone(body));
      if (this.jobs.has(name)) {
        return fail(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, {
          name,
          group: 'batch',
          kind: 'jobs',
        });
      }
      return { code: 201, body: this.createJob(body) };
    }
    if (path.startsWith(`${jobs}/`)) {
      const name = path.slice(jobs.length + 1);
      const job = this.jobs.get(name);
      if (!job) return fail(404, 'NotFound', `jobs.batch "${name}" not found`, { name, group: 'batch', kind: 'jobs' });
      if (method === 'GET') return { code: 200, body: job };
      if (method === 'DELETE') {
        this.deleteJob(name);
        return success({ name, group: 'batch', kind: 'jobs', uid: job.metadata.uid });
      }
    }
    if (path === secrets && method === 'POST') {
      const name = body.metadata.name;
      if (this.secrets.has(name))
        return fail(409, 'AlreadyExists', `secrets "${name}" already exists`, { name, kind: 'secrets' });
      const refused = this.tooLarge(body);
      if (refused) return refused;
      const secret = { ...body, metadata: this.meta(body) };
      this.secrets.set(name, secret);
      return { code: 201, body: secret };
    }
    if (path.startsWith(`${secrets}/`)) {
      const name = path.slice(secrets.length + 1);
      const secret = this.secrets.get(name);
      if (!secret) return fail(404, 'NotFound', `secrets "${name}" not found`, { name, kind: 'secrets' });
      if (method === 'GET') return { code: 200, body: secret };
      if (method === 'DELETE') {
        this.secrets.delete(name);
        return success({ name, kind: 'secrets', uid: secret.metadata.uid });
      }
      const next =
        method === 'PUT'
          ? { ...body, metadata: { ...secret.metadata, ...body.metadata } }
          : method === 'PATCH'
            ? structuredClone(secret)
            : undefined;
      if (next) {
        if (method === 'PUT' && body.metadata.resourceVersion !== secret.metadata.resourceVersion) {
          return fail(
            409,
            'Conflict',
            `Operation cannot be fulfilled on secrets "${name}": the object has been modified`,
          );
        }
        if (method === 'PATCH') this.patch(next, body as unknown as Obj[]);
        const refused = this.tooLarge(next);
        if (refused) return refused;
        next.metadata.resourceVersion = String(this.version++);
        this.secrets.set(name, next);
        return { code: 200, body: next };
      }
    }
    if (path === pods && method === 'GET') return this.list('Pod', this.pods.values(), q);
    const log = new RegExp(`^${pods}/([^/]+)/log$`).exec(path);
    if (log && method === 'GET') return this.logText(log[1] as string, q);
    return fail(404, 'NotFound', 'the server could not find the requested resource');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      ...(body !== undefined ? { body } : {}),
    });
    const type = req.headers['content-type'];
    let out: Reply;
    if (req.headers.authorization !== `Bearer ${this.token}`) out = fail(401, 'Unauthorized', 'Unauthorized');
    else if (method === 'PATCH' && (type !== 'application/json-patch+json' || !Array.isArray(body))) {
      // This stand-in takes JSON Patch only (a real server also takes merge and apply patches).
      out = fail(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format (${type}); this server takes application/json-patch+json`,
      );
    } else out = this.route(method, url.pathname, url.searchParams, body);
    const plain = typeof out.body === 'string';
    res.writeHead(out.code, { 'content-type': plain ? 'text/plain' : 'application/json' });
    res.end(plain ? out.body : JSON.stringify(out.body));
  }
}
