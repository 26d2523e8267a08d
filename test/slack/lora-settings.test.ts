import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  baseModelProblem,
  LORA_DEFAULTS,
  LORA_METHODS,
  LORA_NUMBER_FIELDS,
  LORA_TARGETS,
  loraSettingsSchema,
  parseLoraNumber,
  rangeError,
} from '../../src/slack/lora-settings.ts';

type PyField = {
  kind: string;
  default: unknown;
  low: number | null;
  high: number | null;
  low_open: boolean;
  choices: string[];
};

/** trainer/ftbot_trainer/spec.py's FIELDS, read by the machine's python3 (no packages needed). */
function specFields(): Record<string, PyField> {
  const script =
    'import json, dataclasses\n' +
    'from ftbot_trainer.spec import FIELDS\n' +
    'print(json.dumps({k: {**dataclasses.asdict(f), "choices": list(f.choices)} for k, f in FIELDS.items()}))';
  const out = execFileSync('python3', ['-c', script], { cwd: join(import.meta.dirname, '../../trainer') });
  return JSON.parse(out.toString()) as Record<string, PyField>;
}

describe('the LoRA settings the form offers', () => {
  it('have spec.py’s ranges and defaults, field by field', () => {
    const spec = specFields();
    for (const f of LORA_NUMBER_FIELDS) {
      const py = spec[f.spec];
      expect(py, f.spec).toBeDefined();
      expect({
        field: f.spec,
        kind: f.integer ? 'int' : 'float',
        min: f.min,
        max: f.max,
        open: f.minOpen,
        d: f.default,
      }).toEqual({
        field: f.spec,
        kind: py?.kind,
        min: py?.low,
        max: py?.high,
        open: py?.low_open,
        d: py?.default,
      });
    }
    expect(LORA_METHODS.map((m) => m.value)).toEqual(spec.method?.choices);
    expect([...LORA_TARGETS.map((t) => t.value)].sort()).toEqual([...(spec.target_modules?.choices ?? [])].sort());
    expect(LORA_DEFAULTS).toMatchObject({
      method: spec.method?.default,
      targetModules: spec.target_modules?.default,
      packing: spec.packing?.default,
    });
  });

  it('read numbers as people type them, blank as the default, and refuse what spec.py refuses', () => {
    const field = (key: string) => LORA_NUMBER_FIELDS.find((f) => f.key === key) as (typeof LORA_NUMBER_FIELDS)[number];
    expect(parseLoraNumber(field('learningRate'), '2e-4')).toBe(0.0002);
    expect(parseLoraNumber(field('learningRate'), ' .0001 ')).toBe(0.0001);
    expect(parseLoraNumber(field('learningRate'), '')).toBe(0.0002);
    expect(parseLoraNumber(field('learningRate'), '0')).toBeNull(); // > 0
    expect(parseLoraNumber(field('maxLength'), '4,096')).toBe(4096);
    expect(parseLoraNumber(field('maxLength'), '31')).toBeNull();
    expect(parseLoraNumber(field('r'), '8.5')).toBeNull(); // whole numbers only
    expect(parseLoraNumber(field('r'), '1025')).toBeNull();
    expect(parseLoraNumber(field('epochs'), '0.5')).toBe(0.5);
    expect(parseLoraNumber(field('dropout'), '0')).toBe(0); // >= 0
    expect(parseLoraNumber(field('alpha'), '0')).toBeNull(); // > 0
    for (const bad of ['abc', '1e999', 'NaN', 'Infinity', '-1', '0x10', '1 000']) {
      expect(parseLoraNumber(field('r'), bad), bad).toBeNull();
    }
    expect(rangeError(field('r'))).toBe('LoRA rank (r) is a whole number from 1 to 1,024 (default 16).');
    expect(rangeError(field('alpha'))).toBe('LoRA alpha is a number above 0 and at most 4,096 (default 32).');
  });

  it('check a whole settings object with the same ranges', () => {
    expect(loraSettingsSchema.safeParse(LORA_DEFAULTS).success).toBe(true);
    expect(loraSettingsSchema.safeParse({ ...LORA_DEFAULTS, r: 0 }).success).toBe(false);
    expect(loraSettingsSchema.safeParse({ ...LORA_DEFAULTS, learningRate: 1.5 }).success).toBe(false);
    expect(loraSettingsSchema.safeParse({ ...LORA_DEFAULTS, method: 'full' }).success).toBe(false);
    expect(loraSettingsSchema.safeParse({ ...LORA_DEFAULTS, extra: 1 }).success).toBe(false);
  });

  it('take a hub id or an absolute folder on the host as the base model, and say why not otherwise', () => {
    for (const ok of ['meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen2.5-0.5B', '/models/llama 3', '~/models/qwen']) {
      expect(baseModelProblem(ok), ok).toBeUndefined();
    }
    expect(baseModelProblem('')).toMatch(/^Give a base model/);
    expect(baseModelProblem('./models/x')).toMatch(/must be absolute/);
    expect(baseModelProblem('/models/../etc')).toMatch(/without “\.” or “\.\.” parts/);
    expect(baseModelProblem('llama 3')).toMatch(/no spaces/);
    expect(baseModelProblem('gpt2')).toMatch(/neither a Hugging Face id/);
    expect(baseModelProblem('a/b/c')).toMatch(/neither a Hugging Face id/);
    expect(baseModelProblem(`/${'x'.repeat(600)}`)).toMatch(/at most 512/);
  });
});
