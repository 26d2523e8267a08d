import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LORA_SETTINGS, specJson, trainerSpec } from '../../../src/providers/gpu/job-spec.ts';
import { ProviderError } from '../../../src/providers/types.ts';

const TRAINER = fileURLToPath(new URL('../../../trainer/', import.meta.url));

/** The trainer's own validator (spec.py) on what the bot writes: the authority on field names and ranges. */
function validate(spec: unknown): { ok: boolean; errors?: unknown; spec?: Record<string, unknown> } {
  const code = [
    'import json, sys',
    'from ftbot_trainer.spec import SpecError, validate',
    'try:',
    '    print(json.dumps({"ok": True, "spec": validate(json.loads(sys.stdin.read()))}))',
    'except SpecError as e:',
    '    print(json.dumps({"ok": False, "errors": e.fields}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', code], { cwd: TRAINER, input: JSON.stringify(spec), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('spec.json from a job', () => {
  it('is what the trainer accepts, with the LoRA settings under its field names', () => {
    const spec = trainerSpec({
      id: 'ft-abc234',
      model: 'meta-llama/Llama-3.2-3B-Instruct',
      seed: 7,
      lora: {
        ...DEFAULT_LORA_SETTINGS,
        method: 'qlora',
        r: 64,
        targetModules: 'attention',
        packing: true,
        learningRate: 1e-4,
      },
    });
    const checked = validate(spec);
    expect(checked.ok).toBe(true);
    expect(checked.spec).toMatchObject({
      base_model: 'meta-llama/Llama-3.2-3B-Instruct',
      method: 'qlora',
      r: 64,
      target_modules: 'attention',
      packing: true,
      learning_rate: 1e-4,
      seed: 7,
      dataset: 'train.jsonl',
      job_id: 'ft-abc234',
    });
  });

  it('defaults to the trainer’s own defaults, and a path on the host is a model too', () => {
    const checked = validate(JSON.parse(specJson({ id: 'ft-abc234', model: '/models/llama-3b' })));
    expect(checked.ok).toBe(true);
    const { base_model: _, job_id: _id, dataset: _d, output_dir: _o, ...rest } = checked.spec ?? {};
    expect(rest).toMatchObject({ r: 16, alpha: 32, dropout: 0.05, epochs: 3, batch_size: 4, max_length: 2048 });
  });

  it('refuses a model that is neither a hub id nor an absolute path', () => {
    for (const model of ['not a model', 'a/b/c', '../etc', '']) {
      expect(() => trainerSpec({ id: 'ft-abc234', model })).toThrow(ProviderError);
    }
  });
});
