/**
 * The trainer's Python unit tests (trainer/tests), run with the machine's python3 the way a
 * developer would run them. They need no package beyond the standard library.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function requirePython(): void {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    // CI machines have python3; a missing one is a broken machine, not a reason to skip.
    throw new Error(`python3 is not on PATH (${r.error?.message ?? r.stderr}); the trainer's tests need it.`);
  }
}

describe("the trainer's Python unit tests", () => {
  beforeAll(requirePython);

  it('pass under python3 -m unittest', () => {
    const r = spawnSync(
      'python3',
      ['-m', 'unittest', 'discover', '-s', 'trainer', '-t', 'trainer', '-p', 'test_*.py'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      },
    );
    // unittest reports on stderr; on failure the whole report is the assertion message.
    const report = `${r.stdout}\n${r.stderr}`;
    expect(r.error, report).toBeUndefined();
    expect(r.status, report).toBe(0);
    const ran = Number(/Ran (\d+) tests?/.exec(r.stderr)?.[1] ?? 0);
    expect(ran, report).toBeGreaterThan(50);
    expect(r.stderr).toMatch(/\nOK/);
  }, 150_000);
});
