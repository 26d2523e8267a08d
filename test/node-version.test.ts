import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

type Purpose = 'run' | 'test';
const require = createRequire(import.meta.url);
const { checkNode, range } = require('../bin/check-node.cjs') as {
  checkNode(version: string, purpose?: Purpose): string | null;
  range(purpose: Purpose): string;
};
// semver comes with the runtime dependencies (through jsonwebtoken); it reads npm ranges as npm does.
const semver = require('semver') as { subset(sub: string, dom: string): boolean };

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const CHECK = 'node bin/check-node.cjs';

describe('checkNode', () => {
  it.each([
    ['20.20.2', false, false],
    ['22.18.0', false, false],
    ['22.19.0', true, false],
    ['22.20.0', true, true],
    ['23.11.0', false, false],
    ['24.1.0', false, false],
    ['24.2.0', true, true],
    ['v24.22.3', true, true],
    ['25.1.0', true, false],
    ['26.0.0', true, true],
    ['27.1.0', true, true],
    ['not-a-version', false, false],
  ])('%s: runs the bot %s, runs the tests %s', (version, run, test) => {
    expect(checkNode(version, 'run') === null).toBe(run);
    expect(checkNode(version) === null).toBe(run);
    expect(checkNode(version, 'test') === null).toBe(test);
  });

  it('says in one line what it needs, what it found and how to get Node 24', () => {
    const line = checkNode('20.20.2', 'run') ?? '';
    expect(line).toBe(
      'finetune-bot needs Node.js 22.19 or a later 22.x, or 24.2 or newer (24 LTS recommended); ' +
        'this is Node.js 20.20.2. Install Node 24 (`nvm install` reads .nvmrc; or https://nodejs.org/en/download) ' +
        'and try again.',
    );
    expect(checkNode('25.1.0', 'test')).toMatch(
      /^finetune-bot's tests need Node\.js 22\.20 or a later 22\.x, 24\.2 or a later 24\.x, or 26 or newer .*this is Node\.js 25\.1\.0\. [^\n]*$/,
    );
  });

  it('lets this Node through, for the bot and for the tests', () => {
    expect(checkNode(process.versions.node, 'run')).toBeNull();
    expect(checkNode(process.versions.node, 'test')).toBeNull();
  });
});

describe('the Node requirement', () => {
  it('is the one in package.json engines, and .nvmrc and .node-version pick a Node that meets it', () => {
    expect(pkg.engines.node).toBe(range('run'));
    for (const file of ['.nvmrc', '.node-version']) {
      const major = readFileSync(file, 'utf8');
      expect(major).toBe('24\n');
      // nvm and the others install the newest release of that line.
      expect(checkNode(`${major.trim()}.99.0`, 'test')).toBeNull();
    }
  });

  it('covers what every locked package asks for: runtime ones for the bot, dev ones for the tests', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { dev?: boolean; engines?: { node?: string } }>;
    };
    const unmet = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const needed = entry.engines?.node;
      const ours = range(entry.dev ? 'test' : 'run');
      return path !== '' && needed && !semver.subset(ours, needed) ? [`${path} needs ${needed}, we say ${ours}`] : [];
    });
    expect(unmet).toEqual([]);
  });

  it('keeps Node’s ExperimentalWarning (node:sqlite on Node 22) out of what the bot prints', () => {
    const warn = "process.emitWarning('SQLite is an experimental feature', 'ExperimentalWarning')";
    const shown = spawnSync(process.execPath, ['-e', warn], { encoding: 'utf8' });
    expect(shown.stderr).toContain('ExperimentalWarning');
    const hidden = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '-e', warn], {
      encoding: 'utf8',
    });
    expect(hidden.stderr).toBe('');
  });

  it('is checked first by npm start, npm run dev and npm test, and the CLI goes through the check', () => {
    expect(pkg.scripts.start).toBe(`${CHECK} && node --disable-warning=ExperimentalWarning src/main.ts`);
    expect(pkg.scripts.dev).toBe(`${CHECK} && node --disable-warning=ExperimentalWarning --watch src/main.ts`);
    expect(pkg.scripts.test).toBe(`${CHECK} test && npm run typecheck && npm run lint && vitest run`);
    expect(pkg.bin).toEqual({ 'finetune-bot': 'bin/finetune-bot.cjs' });
  });
});

/** A Node on this machine too old for the bot, if there is one: the shims must speak to it. */
function oldNode(): { path: string; version: string } | undefined {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim();
    if (version && checkNode(version, 'run') !== null) return { path, version };
  }
  return undefined;
}

function spawnWith(node: string, command: string, args: string[]): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  delete env.NODE_OPTIONS; // flags this Node accepts may stop an older one before the check
  return spawnSync(command, args, { encoding: 'utf8', env, timeout: 15_000 });
}

const old = oldNode();

describe.runIf(old)(`the shims under ${old?.path} (Node.js ${old?.version})`, () => {
  const node = old?.path ?? '';
  it.each([
    ['npm start', pkg.scripts.start, 'run'],
    ['npm run dev', pkg.scripts.dev, 'run'],
    ['npm test', pkg.scripts.test, 'test'],
  ] as const)('%s prints one line on stderr and exits 1', (_name, script, purpose) => {
    const r = spawnWith(node, 'sh', ['-c', script ?? '']);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', `${checkNode(old?.version ?? '', purpose)}\n`]);
  });

  it('finetune-bot prints one line on stderr and exits 1', () => {
    const r = spawnWith(node, node, ['bin/finetune-bot.cjs', 'validate', 'x.jsonl']);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', `${checkNode(old?.version ?? '', 'run')}\n`]);
  });
});

describe(`the shims under this Node (${process.versions.node})`, () => {
  it('the check step of npm start, npm run dev and npm test passes silently', () => {
    for (const script of [pkg.scripts.start, pkg.scripts.dev, pkg.scripts.test]) {
      const first = (script ?? '').split(' && ')[0] ?? '';
      const r = spawnWith(process.execPath, 'sh', ['-c', first]);
      expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    }
  });

  it('finetune-bot runs the CLI and passes its exit code through', () => {
    const help = spawnWith(process.execPath, process.execPath, ['bin/finetune-bot.cjs', '--help']);
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^Usage:\n {2}finetune-bot validate FILE/);
    const usage = spawnWith(process.execPath, process.execPath, ['bin/finetune-bot.cjs', 'nonsense']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^finetune-bot: unknown command nonsense\./);
  });
});
