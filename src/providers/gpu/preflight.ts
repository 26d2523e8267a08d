import { z } from 'zod';
import type { GpuHost } from '../../config/gpu.ts';
import type { PreflightReport } from '../types.ts';
import type { ExecResult } from './ssh-pool.ts';

/**
 * `train_lora.py --check` (trainer/ftbot_trainer/check.py documents its JSON) in the contract's
 * PreflightReport. Pure: the adapter runs the check and hands the command's result here.
 */

const problem = z.looseObject({ reason: z.string(), message: z.string(), hint: z.string().nullish() });
const CHECK = z.looseObject({
  type: z.literal('check'),
  ok: z.boolean(),
  gpu: z
    .looseObject({
      available: z.boolean().nullish(),
      devices: z
        .array(
          z.looseObject({
            name: z.string().nullish(),
            memory_bytes: z.number().nullish(),
            free_bytes: z.number().nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
  disk: z
    .looseObject({
      checks: z
        .array(z.looseObject({ free_bytes: z.number().nullish(), needed_bytes: z.number().nullish() }))
        .nullish(),
    })
    .nullish(),
  packages: z
    .record(z.string(), z.looseObject({ version: z.string().nullish(), ok: z.boolean().nullish() }))
    .nullish()
    .catch(undefined),
  model: z.looseObject({ parameters: z.number().nullish() }).nullish().catch(undefined),
  problems: z.array(problem).default([]),
});

type Problem = PreflightReport['problems'][number];

/** The check's report from its stdout: the last line that is a check object. */
export function parseCheck(stdout: string): z.infer<typeof CHECK> | undefined {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const parsed = CHECK.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: a library printed something
    }
  }
  return undefined;
}

export interface CheckContext {
  /** The training file is not on the host yet (the review step): the trainer's data check is moot. */
  dataUploaded: boolean;
}

export function toPreflightReport(host: GpuHost, result: ExecResult, ctx: CheckContext): PreflightReport {
  const check = parseCheck(result.stdout);
  if (!check) return unanswered(host, result);
  const problems: Problem[] = check.problems
    .filter((p) => ctx.dataUploaded || p.reason !== 'bad_data')
    .map((p) => ({ reason: p.reason, message: p.message, ...(p.hint ? { hint: p.hint } : {}) }));
  const device = check.gpu?.devices?.[0];
  const disks = (check.disk?.checks ?? []).filter((c) => typeof c.free_bytes === 'number');
  const free = disks.length > 0 ? Math.min(...disks.map((c) => c.free_bytes as number)) : undefined;
  const needed = disks.reduce((sum, c) => sum + (c.needed_bytes ?? 0), 0);
  return {
    ok: problems.length === 0,
    host: host.name,
    gpuType: host.gpuType,
    ...(device?.name ? { gpuName: device.name } : {}),
    ...(typeof device?.memory_bytes === 'number' ? { gpuMemoryBytes: device.memory_bytes } : {}),
    ...(typeof device?.free_bytes === 'number' ? { freeGpuMemoryBytes: device.free_bytes } : {}),
    ...(free !== undefined ? { freeDiskBytes: free } : {}),
    ...(disks.length > 0 ? { neededDiskBytes: needed } : {}),
    ...(check.packages
      ? {
          packages: Object.entries(check.packages).map(([name, p]) => ({
            name,
            version: p.version ?? null,
            ok: p.ok === true,
          })),
        }
      : {}),
    ...(typeof check.model?.parameters === 'number' ? { modelParameters: check.model.parameters } : {}),
    problems,
  };
}

/** The check gave no report: Python missing, the trainer unreadable, killed… */
function unanswered(host: GpuHost, result: ExecResult): PreflightReport {
  const tail = result.stderr.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
  const noPython = result.code === 127 || /not found|No such file/i.test(result.stderr);
  return {
    ok: false,
    host: host.name,
    gpuType: host.gpuType,
    problems: [
      noPython
        ? {
            reason: 'missing_package',
            message: `GPU host "${host.name}" could not run ${host.python}${tail ? `: ${tail}` : ''}.`,
            hint: 'Install Python 3.10+ on the host, or set the host’s python (GPU_SSH_PYTHON, or python in the hosts file).',
          }
        : {
            reason: 'unknown',
            message: `GPU host "${host.name}": the pre-flight gave no answer (exit ${result.code ?? result.signal ?? '?'})${tail ? `: ${tail}` : ''}.`,
            hint: 'Run `python3 train_lora.py --check spec.json` on the host to see why.',
          },
    ],
  };
}

/** A host that could not be asked, as a report: the review shows why instead of failing. */
export function unreachableReport(host: GpuHost, error: { message: string; hint?: string }): PreflightReport {
  return {
    ok: false,
    host: host.name,
    gpuType: host.gpuType,
    problems: [{ reason: 'unreachable', message: error.message, ...(error.hint ? { hint: error.hint } : {}) }],
  };
}

/** Whether only the GPU's free memory is in the way: a job that will queue anyway may wait for it. */
export function onlyMemoryInTheWay(report: PreflightReport): boolean {
  return report.problems.length > 0 && report.problems.every((p) => p.reason === 'cuda_oom');
}
