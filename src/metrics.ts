import type { ServerResponse } from 'node:http';
import { type App, webApi } from '@slack/bolt';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ProviderMeter } from './providers/metered.ts';
import type { JobPhase, Store } from './store/types.ts';

/**
 * What the bot measures, for Prometheus at GET /metrics: Slack requests and how fast they are acked, provider
 * calls and their errors by kind, jobs by phase (read from the store on each scrape), Slack rate limits, and
 * lease takeovers. Every label value comes from a closed list (a request's kind, a known subcommand, a provider
 * id, a method name, an error kind, a job phase): nothing a person typed, and no id, reaches a label, so the
 * series stay few and the page is safe to scrape.
 */

/** Kinds of Slack request, by the envelope's shape; anything else is `other`. */
const SLACK_KINDS = new Set([
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'event_callback',
]);
/** The subcommands handlers/commands/finetune.ts knows; any other text counts as `unknown`. */
const SUBCOMMANDS = new Set(['help', 'advise', 'validate', 'cost', 'start', 'jobs', 'status']);
/** The job phases worth a gauge: the ones a job leaves again. Finished jobs only ever grow in number. */
const OPEN_PHASES: readonly JobPhase[] = ['awaiting_approval', 'starting', 'validating', 'queued', 'running'];
/** A Slack Web API method name, as the last segment of the URL a rate-limited call went to. */
const SLACK_METHOD = /^[a-z]+(?:\.[a-zA-Z]+){1,3}$/;

/** Leases that one process takes over from another that let them lapse. */
export type LeaseKind = 'notice' | 'job' | 'schedule';

export interface Metrics extends ProviderMeter {
  readonly registry: Registry;
  /** Counts a Slack request that reached the app; returns its kind, the ack's label. */
  slackRequest(body: unknown): string;
  slackAcked(kind: string, seconds: number): void;
  /** The listeners finished without acking: Slack showed the person an error. */
  slackUnacked(kind: string): void;
  /** A Web API call got HTTP 429 (the client waits and retries it). */
  slackRateLimited(url: string): void;
  /** Counts the 429s this client meets (its `rate_limited` event); a client is watched once however often given. */
  watchSlackClient(client: Pick<webApi.WebClient, 'on'>): void;
  /**
   * A process took over a lease another let lapse (it crashed or hung), so the work moved to this replica.
   * Called where a lease changes hands: a notice claim the store answers `orphaned` (jobs/notices.ts), a job
   * whose watcher stopped renewing (the monitor's job leases), a named lease for scheduled work (`tryLease`).
   */
  leaseTakenOver(lease: LeaseKind): void;
}

/** The label of a Slack request: `command`, the envelope's type when known, or `other`. */
export function slackKind(body: unknown): string {
  if (typeof body !== 'object' || body === null) return 'other';
  const { command, type } = body as { command?: unknown; type?: unknown };
  if (typeof command === 'string') return 'command';
  if (typeof type === 'string' && SLACK_KINDS.has(type)) return type === 'event_callback' ? 'event' : type;
  return 'other';
}

/** A slash command's subcommand, as the handler reads it; `unknown` for anything else a person typed. */
export function subcommandOf(text: unknown): string {
  const word = typeof text === 'string' ? (text.trim().split(/\s+/)[0] ?? '').toLowerCase() : '';
  if (word === '') return 'help';
  return SUBCOMMANDS.has(word) ? word : 'unknown';
}

let processRegistry: Registry | undefined;

/** Process metrics (CPU, memory, event-loop lag, GC), collected once per process however many bots it starts. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface MetricsOptions {
  /** Where the jobs gauge is read from, on each scrape. */
  store: Pick<Store, 'listJobsInPhases'>;
  /** The configured providers: the jobs gauge shows 0 for them rather than nothing. */
  providers?: readonly string[];
}

export function createMetrics(options: MetricsOptions): Metrics {
  const watched = new WeakSet<object>();
  const own = new Registry();
  const registers = [own];
  const requests = new Counter({
    name: 'finetune_slack_requests_total',
    help: 'Slack requests that reached the app, by kind',
    labelNames: ['kind'],
    registers,
  });
  const commands = new Counter({
    name: 'finetune_slack_commands_total',
    help: 'Slash commands, by subcommand (unknown: any other text)',
    labelNames: ['subcommand'],
    registers,
  });
  const ackSeconds = new Histogram({
    name: 'finetune_slack_ack_seconds',
    help: 'From a Slack request reaching the app to its ack; Slack gives up after 3 s',
    labelNames: ['kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers,
  });
  const unacked = new Counter({
    name: 'finetune_slack_unacked_total',
    help: 'Slack requests whose listeners finished without acking',
    labelNames: ['kind'],
    registers,
  });
  const rateLimited = new Counter({
    name: 'finetune_slack_rate_limited_total',
    help: 'Slack Web API calls answered 429 (retried after the wait Slack asked for), by method',
    labelNames: ['method'],
    registers,
  });
  const providerCalls = new Counter({
    name: 'finetune_provider_calls_total',
    help: 'Calls to a provider adapter, by provider and method',
    labelNames: ['provider', 'method'],
    registers,
  });
  const providerErrors = new Counter({
    name: 'finetune_provider_errors_total',
    help: 'Provider calls that failed, by provider, method and error kind (other: not a ProviderError)',
    labelNames: ['provider', 'method', 'kind'],
    registers,
  });
  const providerSeconds = new Histogram({
    name: 'finetune_provider_call_seconds',
    help: 'How long provider calls took, uploads and retries included',
    labelNames: ['provider', 'method'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const leaseTakeovers = new Counter({
    name: 'finetune_lease_takeovers_total',
    help: 'Leases taken over from a process that let them lapse, by lease',
    labelNames: ['lease'],
    registers,
  });
  // One store read per scrape, shared by the gauge and the error counter: prom-client reads every metric at once,
  // so the counter must wait for the read to know whether it failed.
  type OpenJobs = Awaited<ReturnType<MetricsOptions['store']['listJobsInPhases']>>;
  let reading: Promise<OpenJobs | undefined> | undefined;
  const readJobs = () => {
    reading ??= options.store
      .listJobsInPhases(OPEN_PHASES)
      .then(
        (jobs): OpenJobs | undefined => jobs,
        () => {
          storeErrors.inc();
          return undefined;
        },
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const storeErrors = new Counter({
    name: 'finetune_metrics_store_errors_total',
    help: 'Scrapes whose jobs gauge could not be read from the store',
    registers,
    async collect() {
      await readJobs();
    },
  });
  new Gauge({
    name: 'finetune_jobs',
    help: 'Jobs not yet finished, by phase and provider, as the store has them',
    labelNames: ['phase', 'provider'],
    registers,
    // On each scrape: the store is the truth, and every replica reports the same numbers.
    async collect() {
      const jobs = await readJobs();
      this.reset();
      if (!jobs) return;
      for (const provider of options.providers ?? []) {
        for (const phase of OPEN_PHASES) this.set({ phase, provider }, 0);
      }
      for (const job of jobs) this.inc({ phase: job.phase, provider: job.provider });
    },
  });

  const slackRateLimited = (url: string) => {
    // The call's URL is the API's base and the method name; a signed upload URL is `other`.
    const method = url.split(/[?#]/)[0]?.split('/').pop() ?? '';
    rateLimited.inc({ method: SLACK_METHOD.test(method) ? method : 'other' });
  };

  return {
    registry: Registry.merge([processMetrics(), own]),
    slackRequest(body) {
      const kind = slackKind(body);
      requests.inc({ kind });
      if (kind === 'command') commands.inc({ subcommand: subcommandOf((body as { text?: unknown }).text) });
      return kind;
    },
    slackAcked: (kind, seconds) => ackSeconds.observe({ kind }, seconds),
    slackUnacked: (kind) => unacked.inc({ kind }),
    slackRateLimited,
    watchSlackClient(client) {
      if (watched.has(client)) return;
      watched.add(client);
      client.on(webApi.WebClientEvent.RATE_LIMITED, (_retrySec: number, request: { url?: unknown }) =>
        slackRateLimited(String(request?.url ?? '')),
      );
    },
    providerCall(provider, method, seconds, errorKind) {
      providerCalls.inc({ provider, method });
      providerSeconds.observe({ provider, method }, seconds);
      if (errorKind !== undefined) providerErrors.inc({ provider, method, kind: errorKind });
    },
    leaseTakenOver: (lease) => leaseTakeovers.inc({ lease }),
  };
}

/** GET /metrics in Prometheus' text format, for HTTPReceiver's custom routes and the Socket Mode health server. */
export function metricsRoute(metrics: Pick<Metrics, 'registry'>) {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req: unknown, res: ServerResponse) => {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics unavailable\n');
        },
      );
    },
  };
}

/**
 * Meters the Bolt app: each request and its ack time, and the rate limits of the Web API clients its listeners
 * get (Bolt makes one per workspace token, so a global middleware watches each as it is handed out).
 *
 * The ack is timed from the moment the receiver hands the request to the app. Bolt gives each middleware a copy
 * of the listener arguments, so no middleware can see the ack a listener calls; the one place that can is the
 * event the receiver passes to `processEvent`, in both HTTP and Socket Mode.
 */
export function meterSlackApp(app: App, metrics: Metrics): void {
  metrics.watchSlackClient(app.client);
  app.use(async ({ client, next }) => {
    metrics.watchSlackClient(client);
    await next();
  });
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    const started = performance.now();
    const kind = metrics.slackRequest(event.body);
    let acked = false;
    const ack: typeof event.ack = (response) => {
      if (!acked) metrics.slackAcked(kind, (performance.now() - started) / 1000);
      acked = true;
      return event.ack(response);
    };
    try {
      await processEvent({ ...event, ack });
    } finally {
      if (!acked) metrics.slackUnacked(kind);
    }
  };
}
