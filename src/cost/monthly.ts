import { servingPlan } from './gpu.ts';
import type { ResolvedOption } from './options.ts';
import type { Catalogue } from './schema.ts';
import { HOURS_PER_MONTH, PER_MILLION } from './units.ts';

/**
 * What one month of use costs on a resolved option, unrounded. The API options are linear in the
 * volume (a fixed hosting fee plus per-token prices); self-hosting is a staircase (whole GPUs, on
 * all month, however little they do). Break-even and the cost curve are built on these two shapes.
 */

export interface MonthlyCost {
  inferenceUsd: number;
  hostingUsd: number;
  totalUsd: number;
  /** Self-hosted only: GPUs kept on to serve the volume. */
  servingGpus?: number;
}

/** An API option as a line: hostingUsd + usdPerToken × tokens, for a given input share. */
export interface ApiLine {
  hostingUsd: number;
  usdPerToken: number;
}

export function azureHostingPerHour(catalogue: Catalogue, tier: 'standard' | 'global' | 'developer'): number {
  const hosting = catalogue.azure.hosting;
  if (tier === 'standard') return hosting.standard_per_hour;
  if (tier === 'global') return hosting.global_per_hour;
  return hosting.developer_per_hour;
}

/**
 * Hours a deployment of this option lives before the provider deletes it (Azure's Developer tier:
 * 24), or undefined for one that serves as long as it is paid for. A model that is gone after a day
 * is for trying out, not a service anyone runs for a month, so it gets no monthly figure, no
 * break-even and no line on the monthly-cost chart.
 */
export function deploymentLifetimeHours(resolved: ResolvedOption, catalogue: Catalogue): number | undefined {
  return resolved.provider === 'azure' && resolved.tier === 'developer'
    ? catalogue.azure.hosting.developer_lifetime_hours
    : undefined;
}

export function apiLine(
  resolved: Extract<ResolvedOption, { provider: 'openai' | 'azure' }>,
  catalogue: Catalogue,
  inputShare: number,
): ApiLine {
  const { input_per_1m, output_per_1m } = resolved.price.inference;
  const hostingPerHour = resolved.provider === 'azure' ? azureHostingPerHour(catalogue, resolved.tier) : 0;
  return {
    hostingUsd: hostingPerHour * HOURS_PER_MONTH,
    usdPerToken: (inputShare * input_per_1m + (1 - inputShare) * output_per_1m) / PER_MILLION,
  };
}

export function monthlyCost(
  resolved: ResolvedOption,
  catalogue: Catalogue,
  inputTokens: number,
  outputTokens: number,
): MonthlyCost {
  // Together and Fireworks: serving is not priced per token (estimate-open.ts); the month says so.
  if (resolved.provider === 'together' || resolved.provider === 'fireworks') {
    return { inferenceUsd: 0, hostingUsd: 0, totalUsd: 0 };
  }
  if (resolved.provider === 'gpu') {
    const plan = servingPlan(resolved.gpu, catalogue.self_hosting, resolved.paramsB, inputTokens + outputTokens);
    return { inferenceUsd: 0, hostingUsd: plan.monthlyUsd, totalUsd: plan.monthlyUsd, servingGpus: plan.gpus };
  }
  const { input_per_1m, output_per_1m } = resolved.price.inference;
  const inferenceUsd = (inputTokens * input_per_1m + outputTokens * output_per_1m) / PER_MILLION;
  const hostingUsd =
    resolved.provider === 'azure' ? azureHostingPerHour(catalogue, resolved.tier) * HOURS_PER_MONTH : 0;
  return { inferenceUsd, hostingUsd, totalUsd: inferenceUsd + hostingUsd };
}

/** The input share of a volume from an input:output ratio (3 → 75% input); Infinity → all input. */
export function inputShareOf(inputOutputRatio: number): number {
  if (!Number.isFinite(inputOutputRatio)) return 1;
  return inputOutputRatio / (1 + inputOutputRatio);
}

/** The share of input tokens in an estimate's volumes; 3:1 when there is no volume to go by. */
export function inputShareFromVolumes(monthlyInputTokens: number, monthlyOutputTokens: number): number {
  const total = monthlyInputTokens + monthlyOutputTokens;
  return total > 0 ? monthlyInputTokens / total : DEFAULT_INPUT_SHARE;
}

/** Three input tokens to one output token: a common chat mix, used when volumes don't say. */
export const DEFAULT_INPUT_SHARE = 0.75;
