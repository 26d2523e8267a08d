import type { Catalogue } from '../../cost/catalogue.ts';
import type { PreflightReport } from '../types.ts';
import type { HostLoad, HostOps } from './host-ops.ts';
import { onlyMemoryInTheWay, unreachableReport } from './preflight.ts';
import { toProviderError } from './provider-errors.ts';

/**
 * "Auto": the host with a free slot and room for the model. Hosts are ranked by how soon they can
 * run the job (free slots, then the shortest queue), then by GPU memory, then as configured; the
 * pre-flight decides among them in that order.
 */

export interface RankedHost {
  ops: HostOps;
  /** Undefined when the host could not be read. */
  load?: HostLoad;
  error?: unknown;
}

export async function rankHosts(hosts: readonly HostOps[], catalogue: Catalogue): Promise<RankedHost[]> {
  const read = await Promise.all(
    hosts.map(async (ops, index): Promise<RankedHost & { index: number }> => {
      try {
        return { ops, load: await ops.load(), index };
      } catch (error) {
        return { ops, error, index };
      }
    }),
  );
  const memory = (r: RankedHost) => (catalogue.gpus[r.ops.host.gpuType]?.memory_gb ?? 0) * r.ops.host.gpuCount;
  const free = (r: RankedHost) => (r.load ? Math.max(0, r.load.maxJobs - r.load.running) - r.load.queued : -Infinity);
  return read
    .sort(
      (a, b) =>
        Number(!a.load) - Number(!b.load) ||
        free(b) - free(a) ||
        (a.load?.queued ?? 0) - (b.load?.queued ?? 0) ||
        memory(b) - memory(a) ||
        a.index - b.index,
    )
    .map(({ index: _index, ...rest }) => rest);
}

/**
 * The pre-flight of the best host that passes it; a host that is full and short only of free GPU
 * memory (its running job holds it) passes as a last resort, the job waiting in its queue. When
 * none passes, the best host's report says why.
 */
export async function choosePreflight(
  ranked: readonly RankedHost[],
  check: (ops: HostOps) => Promise<PreflightReport>,
): Promise<PreflightReport> {
  let first: PreflightReport | undefined;
  let waiting: PreflightReport | undefined;
  for (const candidate of ranked) {
    if (!candidate.load) continue;
    const report = await check(candidate.ops);
    if (report.ok) return report;
    first ??= report;
    const full = candidate.load.running >= candidate.load.maxJobs || candidate.load.queued > 0;
    if (full && onlyMemoryInTheWay(report)) waiting ??= report;
  }
  if (waiting) return waiting;
  if (first) return first;
  const best = ranked[0];
  if (!best) throw new TypeError('no GPU hosts');
  return unreachableReport(best.ops.host, toProviderError(best.error));
}
