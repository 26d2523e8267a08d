import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// The map in DESIGN.md, checked: which folder may import which, no circles, handlers stay leaves.
// Type-only imports count too — a circle of types is still two files that cannot move apart.

const files = execFileSync('git', ['ls-files', 'src/*.ts', 'handlers/*.ts'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

const imports = new Map<string, string[]>(
  files.map((f) => {
    const source = readFileSync(f, 'utf8');
    const specs = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'(\.{1,2}\/[^']+)'/g)];
    return [f, specs.map((m) => normalize(join(dirname(f), m[1] ?? '')))];
  }),
);

/** `src/slack/x.ts` → `slack`; `handlers/actions/x.ts` → `handlers`; top-level files are their own room. */
function room(file: string): string {
  if (file.startsWith('handlers/')) return 'handlers';
  const parts = file.split('/');
  return parts.length > 2 ? (parts[1] ?? file) : file;
}

function edgesFrom(from: (f: string) => boolean, to: (f: string) => boolean): string[] {
  return [...imports].flatMap(([f, deps]) => (from(f) ? deps.filter(to).map((d) => `${f} → ${d}`) : []));
}

const inRoom =
  (...rooms: string[]) =>
  (f: string) =>
    rooms.includes(room(f));

function cycles(): string[][] {
  // Tarjan's strongly connected components; any with more than one file is a circle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of imports.get(v) ?? []) {
      if (!imports.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of imports.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the house', () => {
  it('reads the source it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.get('src/slack/cost-view.ts')).toContain('src/reports/cost-options.ts');
  });

  it('has no import circles', () => {
    expect(cycles()).toEqual([]);
  });

  it('lets only main.ts import the handlers', () => {
    expect(edgesFrom((f) => f.startsWith('src/') && f !== 'src/main.ts', inRoom('handlers'))).toEqual([]);
  });

  it('keeps listeners apart: a handler imports no other handler, only the shared helpers', () => {
    const listener = (f: string) => /^handlers\/(actions|commands|events|views|webhooks)\/(?!index\.ts$)/.test(f);
    expect(edgesFrom(listener, listener)).toEqual([]);
  });

  it('points dependencies one way: Block Kit and providers never reach up into jobs or handlers', () => {
    expect(edgesFrom(inRoom('slack'), inRoom('jobs', 'handlers'))).toEqual([]);
    expect(edgesFrom(inRoom('providers', 'store'), inRoom('jobs', 'slack', 'handlers'))).toEqual([]);
  });

  it('keeps the pure rooms pure: advisor, cost and data import none of the others', () => {
    const pure = inRoom('advisor', 'cost', 'data');
    expect(edgesFrom(pure, (f) => f.startsWith('src/') && !pure(f))).toEqual([]);
  });

  it('gives the CLI its formatters from a neutral home, not from the Slack builders', () => {
    expect(edgesFrom(inRoom('cli'), inRoom('slack', 'jobs', 'handlers'))).toEqual([]);
    expect(edgesFrom(inRoom('reports'), inRoom('slack', 'jobs', 'handlers'))).toEqual([]);
  });
});
