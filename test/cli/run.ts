import { runCli } from '../../src/cli/main.ts';

/** Runs one CLI invocation in-process, capturing what it prints, at a fixed date. */
export async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
    env: {},
    now: () => new Date('2026-11-23T12:00:00Z'),
  });
  return { code, out, err };
}
