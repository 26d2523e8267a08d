import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * What can be checked of the Dockerfile and deploy/ without Docker or a cluster: the image is Node 24, runs as
 * a user that is not root, installs production dependencies only and holds every file the bot loads; the
 * Kubernetes example parses and sets only variables the bot reads.
 */

const ROOT = process.cwd();
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(): Array<{ op: string; args: string }> {
  return read('Dockerfile')
    .replace(/\\\n(?:\s*#.*\n)*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Whether .dockerignore lets `path` into the build context (the last matching pattern wins, as Docker's does). */
function inContext(path: string): boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const ancestors = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let included = true;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = normalize(negate ? raw.slice(1) : raw).replace(/\/$/, '');
    const source = pattern
      .split(/(\*\*\/|\*)/)
      .map((part) =>
        part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    const re = new RegExp(`^${source}$`);
    if (ancestors.some((p) => re.test(p))) included = negate;
  }
  return included;
}

/** Files the bot loads when it runs, from its entry points through every relative import. */
function runtimeFiles(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file; file = queue.shift()) {
    if (files.has(file)) continue;
    files.add(file);
    const text = read(file);
    const specifiers = [
      // Static imports and re-exports, but not `import type` / `export type`, which Node strips.
      ...[...text.matchAll(/^\s*(?:import|export)\s+(type\s)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)]
        .filter((m) => !m[1])
        .map((m) => m[2]),
      ...[...text.matchAll(/\b(?:import|require)\('([^']+)'\)/g)].map((m) => m[1]),
    ];
    for (const spec of specifiers) {
      if (!spec || spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) queue.push(relative(ROOT, join(ROOT, dirname(file), spec)));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
    }
  }
  return { files, packages };
}

describe('the Dockerfile', () => {
  const steps = instructions();
  const all = (op: string) => steps.filter((s) => s.op === op).map((s) => s.args);

  it('builds on the official Node 24 image and runs as a user that is not root', () => {
    expect(all('FROM')).toHaveLength(1);
    expect(all('FROM')[0]).toMatch(/^node:24(?:[.-]|$)/);
    const user = all('USER').at(-1) ?? 'root';
    // By number, so Kubernetes' runAsNonRoot can verify it; the same uid as deploy/deployment.yaml's runAsUser.
    expect(user).toMatch(/^\d+(?::\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    expect(steps.findLastIndex((s) => s.op === 'USER')).toBeLessThan(steps.findIndex((s) => s.op === 'CMD'));
  });

  it('installs production dependencies only, exactly as the lockfile says', () => {
    const installs = all('RUN').filter((run) => /\bnpm (ci|install|i)\b/.test(run));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/\bnpm ci\b/);
    expect(installs[0]).toContain('--omit=dev');
  });

  it('runs what npm start runs, as node itself, and exposes the default PORT', () => {
    const start = JSON.parse(read('package.json')).scripts.start as string;
    const cmd = JSON.parse(all('CMD')[0] ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(start.endsWith(cmd.join(' '))).toBe(true);
    expect(all('EXPOSE')).toEqual(['3000']);
    expect(all('HEALTHCHECK')[0]).toContain('/healthz');
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const sources = all('COPY').flatMap((args) => {
      const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return parts.slice(0, -1);
    });
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(inContext(normalize(source).replace(/\/$/, '')), `${source} is in the build context`).toBe(true);
    }
    for (const secret of ['.env', 'data/finetune-bot.db', 'node_modules/pino/package.json', '.git/HEAD']) {
      expect(inContext(secret), `${secret} stays out`).toBe(false);
    }
  });

  it('holds every file the bot and the CLI load, and their packages are not dev-only', () => {
    const copied = all('COPY').flatMap((args) =>
      args
        .split(/\s+/)
        .filter((p) => !p.startsWith('--'))
        .slice(0, -1)
        .map((p) => normalize(p).replace(/\/$/, '')),
    );
    const { files, packages } = runtimeFiles(['src/main.ts', 'bin/finetune-bot.cjs']);
    // What trainer-files.ts reads at run time and copies to the GPU hosts.
    const trainer = readdirSync(join(ROOT, 'trainer/ftbot_trainer')).map((f) => `trainer/ftbot_trainer/${f}`);
    for (const file of [...files, 'trainer/train_lora.py', 'trainer/requirements.txt', ...trainer]) {
      if (!statSync(join(ROOT, file)).isFile()) continue;
      expect(
        copied.some((c) => file === c || file.startsWith(`${c}/`)),
        `${file} is copied`,
      ).toBe(true);
      expect(inContext(file), `${file} is in the build context`).toBe(true);
    }
    expect(files.size).toBeGreaterThan(50);
    const { dependencies } = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    for (const name of packages) expect(Object.keys(dependencies), `${name} is a dependency`).toContain(name);
  });
});

/** Every variable the bot reads: the `NAME:` fields of the one zod schema (config/index.ts and its parts). */
function configVariables(): Set<string> {
  const sources = readdirSync(join(ROOT, 'src/config')).filter((f) => f.endsWith('.ts'));
  const names = sources.flatMap((f) =>
    [...read(`src/config/${f}`).matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]),
  );
  return new Set(names.filter((n): n is string => n !== undefined));
}

type Doc = {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
};

type Probe = { httpGet: { path: string; port: string } };
type PodSpec = {
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  containers: Array<{
    ports: Array<{ name: string; containerPort: number }>;
    readinessProbe: Probe;
    livenessProbe: Probe;
    resources: { requests: object; limits: object };
    securityContext: { allowPrivilegeEscalation: boolean };
    envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
    env?: Array<{ name: string }>;
  }>;
};

function manifests(): Array<{ file: string; doc: Doc }> {
  const files = readdirSync(join(ROOT, 'deploy')).filter((f) => f.endsWith('.yaml'));
  return files.flatMap((file) =>
    parseAllDocuments(read(`deploy/${file}`)).map((d) => {
      expect(d.errors, `deploy/${file} parses`).toEqual([]);
      return { file, doc: d.toJS() as Doc };
    }),
  );
}

describe('the Kubernetes example in deploy/', () => {
  const docs = manifests();
  const find = (kind: string, name: string) =>
    docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)?.doc;
  const variables = configVariables();

  it('parses, every object in the one namespace', () => {
    expect(docs.length).toBeGreaterThanOrEqual(9);
    for (const { file, doc } of docs) {
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace, `${file} ${doc.kind}`).toBe('finetune-bot');
    }
  });

  it('runs the bot as two non-root replicas in HTTP mode, probed on /healthz, with resources', () => {
    const deployment = find('Deployment', 'finetune-bot') as unknown as {
      spec: { replicas: number; template: { spec: PodSpec } };
    };
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const uid = instructions()
      .filter((s) => s.op === 'USER')
      .at(-1)
      ?.args.split(':')[0];
    expect(String(pod.securityContext.runAsUser)).toBe(uid);
    const [bot] = pod.containers;
    expect(bot?.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(bot?.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(bot?.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(bot?.resources.requests).toBeDefined();
    expect(bot?.resources.limits).toBeDefined();
    expect(bot?.securityContext.allowPrivilegeEscalation).toBe(false);

    // The variables the bot gets: from the ConfigMap and the Secret it names, and any set one by one.
    const names = [
      ...(bot?.env ?? []).map((e) => e.name),
      ...(bot?.envFrom ?? []).flatMap((from) => {
        const source = from.configMapRef
          ? find('ConfigMap', from.configMapRef.name)
          : find('Secret', from.secretRef?.name ?? '');
        expect(source, JSON.stringify(from)).toBeDefined();
        return Object.keys({ ...source?.data, ...source?.stringData });
      }),
    ];
    expect(names).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'DATABASE_URL', 'PORT']));
    for (const name of names) expect(variables, `${name} is a variable config/index.ts reads`).toContain(name);
    // HTTP mode: no app token, so Slack's requests come in through the Service.
    expect(names).not.toContain('SLACK_APP_TOKEN');
    const port = find('ConfigMap', 'finetune-bot')?.data?.PORT;
    expect(Number(port)).toBe(bot?.ports[0]?.containerPort);
  });

  it('ships Secrets as templates only, and their commented keys are variables too', () => {
    const template = read('deploy/secret.example.yaml');
    for (const { doc } of docs.filter((d) => d.doc.kind === 'Secret')) {
      for (const value of Object.values({ ...doc.stringData, ...doc.data })) expect(value).toContain('REPLACE-ME');
    }
    for (const [, name] of template.matchAll(/^\s*#\s*([A-Z][A-Z0-9_]+):/gm)) expect(variables).toContain(name);
    // The bot's DATABASE_URL names the example database's Service.
    const url = new URL(find('Secret', 'finetune-bot')?.stringData?.DATABASE_URL ?? '');
    expect(url.protocol).toBe('postgres:');
    expect(find('Service', url.hostname)).toBeDefined();
  });

  it('routes the Service to the pods, and only Slack’s and OpenAI’s paths from the Ingress', () => {
    const service = find('Service', 'finetune-bot') as unknown as {
      spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> };
    };
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'finetune-bot' });
    expect(service.spec.ports[0]?.targetPort).toBe('http');
    const ingress = find('Ingress', 'finetune-bot') as unknown as {
      spec: { rules: Array<{ http: { paths: Array<{ path: string }> } }> };
    };
    const paths = ingress.spec.rules.flatMap((r) => r.http.paths.map((p) => p.path));
    expect(paths.sort()).toEqual(['/slack/events', '/webhooks/openai']);
  });

  it('keeps the example PostgreSQL on a volume, marked as an example', () => {
    const postgres = find('StatefulSet', 'finetune-bot-postgres') as unknown as {
      spec: { volumeClaimTemplates: Array<{ metadata: { name: string } }> };
    };
    expect(postgres.spec.volumeClaimTemplates[0]?.metadata.name).toBe('data');
    expect(read('deploy/postgres.yaml')).toMatch(/AN EXAMPLE[\s\S]*managed database/);
    expect(read('deploy/README.md')).toContain('kubectl apply');
  });
});
