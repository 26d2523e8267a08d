import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  isJobId,
  joinRemote,
  remoteDirname,
  remotePathProblem,
  shellCommand,
  shellQuote,
} from '../../../src/providers/gpu/shell.ts';

const HOSTILE = [
  '',
  'plain',
  'two words',
  "it's",
  "''",
  "'\\''",
  '"$HOME"',
  '$(id)',
  '`id`',
  '; rm -rf / #',
  '&& echo pwned',
  '| cat /etc/passwd',
  '> /tmp/x',
  '\\',
  '\\n',
  'line\nbreak\r\n',
  '\t tab',
  '*',
  '?',
  '[a-z]',
  '~',
  '~root',
  '-rf',
  '--',
  '!!',
  '#comment',
  '{a,b}',
  'ünïcødé ✓ 🚀',
  '\u00a0nbsp',
];

describe('shellQuote', () => {
  it("wraps in single quotes and writes a quote as '\\''", () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellCommand('ls -l --', ['a b', "c'd"])).toBe("ls -l -- 'a b' 'c'\\''d'");
    expect(shellCommand('', ['python3', '-V'])).toBe("'python3' '-V'");
  });

  it('refuses NUL, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it.each(['sh', 'dash', 'bash'])('round-trips hostile words through a real %s as plain words', (shell) => {
    const script = shellCommand("printf '%s\\0'", HOSTILE);
    let out: string;
    try {
      out = execFileSync(shell, ['-c', script], {
        encoding: 'utf8',
        env: { HOME: '/nowhere', PATH: process.env.PATH },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // that shell is not installed here
      throw error;
    }
    expect(out.split('\0').slice(0, -1)).toEqual(HOSTILE);
  });
});

describe('names and paths', () => {
  it('takes only our job ids', () => {
    expect(isJobId('ft-7k2m9q')).toBe(true);
    for (const id of [
      'ft-7k2m9',
      'ft-7k2m9qq',
      'FT-7k2m9q',
      'ft-7k2m0q',
      'ft-7k2l9q',
      'ft-7k2i9q',
      'ft-7k2o9q',
      'ft-../..',
      ' ft-7k2m9q',
      'ft-7k2m9q\n',
    ]) {
      expect(isJobId(id), id).toBe(false);
    }
  });

  it('accepts absolute paths without dot segments', () => {
    expect(remotePathProblem('/home/train/finetune-bot-jobs/ft-7k2m9q/events.jsonl')).toBeUndefined();
    expect(remotePathProblem('/')).toBeUndefined();
    expect(remotePathProblem('/with space/ok')).toBeUndefined();
    expect(remotePathProblem('relative')).toMatch(/absolute/);
    expect(remotePathProblem('~/x')).toMatch(/absolute/);
    expect(remotePathProblem('/a/../b')).toMatch(/segment/);
    expect(remotePathProblem('/a//b')).toMatch(/segment/);
    expect(remotePathProblem('/a\nb')).toMatch(/line break/);
  });

  it('joins only single segments the bot names', () => {
    expect(joinRemote('/w/', 'ft-7k2m9q', 'spec.json')).toBe('/w/ft-7k2m9q/spec.json');
    expect(() => joinRemote('/w', '../etc')).toThrow();
    expect(() => joinRemote('/w', 'a/b')).toThrow();
    expect(() => joinRemote('/w', '..')).toThrow();
    expect(() => joinRemote('w', 'x')).toThrow();
    expect(remoteDirname('/w/ft-7k2m9q/spec.json')).toBe('/w/ft-7k2m9q');
    expect(remoteDirname('/spec.json')).toBe('/');
  });
});
