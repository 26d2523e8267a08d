/**
 * The real trainer/train_lora.py on this machine, which has python3 but neither torch nor a GPU:
 * a job must end with a plain `missing_package` event and a non-zero exit_code, and --check must
 * say what is missing in one JSON object. This is what the bot sees from a host that was never
 * prepared.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../trainer/train_lora.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ftbot-train-lora-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let pythonArgs: string[] = [];

function requirePython(): void {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    // CI machines have python3; a missing one is a broken machine, not a reason to skip.
    throw new Error(`python3 is not on PATH (${r.error?.message ?? r.stderr}); the trainer's tests need it.`);
  }
  // Where torch happens to be installed, -S hides site-packages so the run still meets a host
  // without the trainer's packages, which is the case under test.
  const torch = spawnSync('python3', [
    '-c',
    'import importlib.util as u, sys; sys.exit(0 if u.find_spec("torch") else 1)',
  ]);
  pythonArgs = torch.status === 0 ? ['-S'] : [];
}

function job(name: string, spec: Record<string, unknown>): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'spec.json'), JSON.stringify(spec));
  const rows = Array.from({ length: 6 }, (_, i) => ({
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: `What is ${i} + ${i}?` },
      { role: 'assistant', content: 'Let me think.', weight: 0 },
      { role: 'user', content: 'Just the number.' },
      { role: 'assistant', content: String(2 * i) },
    ],
  }));
  writeFileSync(join(folder, 'train.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return folder;
}

function trainer(...args: string[]) {
  const r = spawnSync('python3', [...pythonArgs, SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/** A local model folder: Llama-3.2-1B's shapes in config.json, and one small safetensors file. */
function localModel(): string {
  const folder = join(dir, 'model');
  mkdirSync(folder, { recursive: true });
  const config = {
    architectures: ['LlamaForCausalLM'],
    hidden_size: 2048,
    intermediate_size: 8192,
    num_hidden_layers: 16,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    head_dim: 64,
    vocab_size: 128256,
    tie_word_embeddings: true,
  };
  writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
  const header = Buffer.from(
    JSON.stringify({ 'model.norm.weight': { dtype: 'BF16', shape: [2048], data_offsets: [0, 4096] } }),
  );
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(folder, 'model.safetensors'), Buffer.concat([length, header, Buffer.alloc(4096)]));
  return folder;
}

describe('train_lora.py on a host without its packages', () => {
  beforeAll(requirePython);

  it('ends with a missing_package event, a non-zero exit_code and no traceback', () => {
    const folder = job('missing', { base_model: 'meta-llama/Llama-3.2-1B-Instruct', method: 'lora', epochs: 1 });
    const r = trainer(folder);
    const output = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect(r.status, output).toBe(1);
    expect(readFileSync(join(folder, 'exit_code'), 'utf8')).toBe('1\n');

    const lines = readFileSync(join(folder, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    const events = lines.map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['preparing', 'error']);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    for (const e of events) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const error = events[1];
    expect(error).toMatchObject({ reason: 'missing_package', traceback: [], step: null, adapter_path: null });
    expect(error.missing).toEqual(expect.arrayContaining(['torch', 'transformers', 'peft', 'accelerate']));
    expect(error.missing).not.toContain('bitsandbytes'); // lora does not need it
    expect(error.message).toContain('torch');
    expect(error.hint).toMatch(/pip install -r \S*trainer\/requirements\.txt/);

    // stdout carries the same events, and only them.
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(lines);
    expect(r.stdout).not.toMatch(/Traceback|Error:/);
  });

  it('names bitsandbytes as missing for a qlora job', () => {
    const folder = job('qlora', { base_model: 'org/model', method: 'qlora' });
    const r = trainer(join(folder, 'spec.json'));
    expect(r.status).toBe(1);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(last.missing).toContain('bitsandbytes');
  });

  it('--check prints one JSON object: what is missing, no GPU, and the disk the job needs', () => {
    const folder = job('check', { base_model: localModel(), method: 'qlora', save_steps: 100 });
    const r = trainer('--check', folder);
    const output = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect(r.status, output).toBe(1);
    expect(r.stdout.trim().split('\n'), output).toHaveLength(1);
    const report = JSON.parse(r.stdout);

    expect(report).toMatchObject({ type: 'check', ok: false, spec: { ok: true, errors: [] } });
    expect(report.python.version).toMatch(/^3\.\d+\.\d+$/);
    expect(report.missing).toEqual(
      expect.arrayContaining(['torch', 'transformers', 'peft', 'accelerate', 'bitsandbytes']),
    );
    expect(report.packages.torch).toMatchObject({ version: null, ok: false });
    expect(report.gpu).toMatchObject({ available: false, count: 0, devices: [] });
    expect(report.gpu.reason).toBeTruthy();
    expect(report.problems.map((p: { reason: string }) => p.reason)).toEqual(
      expect.arrayContaining(['missing_package', 'no_gpu']),
    );

    expect(report.model).toMatchObject({ source: 'local', reachable: true, parameters: 2048 });
    expect(report.disk.lora_params).toBe(11_272_192);
    expect(report.disk.how).toContain('checkpoints');
    for (const c of report.disk.checks) {
      expect(c.free_bytes).toBeGreaterThan(0);
      expect(c.needed_bytes).toBeGreaterThan(0);
    }
    expect(report.data).toMatchObject({ ok: true, examples: 6 });
    // --check is a look, not a run: it leaves no trace the bot could mistake for a finished job.
    expect(() => readFileSync(join(folder, 'exit_code'))).toThrow();
  });

  it('--check reports a bad spec field by field', () => {
    const folder = job('bad', { base_model: 'org/model', r: 0, method: 'full' });
    const report = JSON.parse(trainer('--check', folder).stdout);
    expect(report.spec.ok).toBe(false);
    expect(report.spec.errors.map((e: { field: string }) => e.field).sort()).toEqual(['method', 'r']);
  });
});
