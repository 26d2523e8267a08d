import { servingPlan } from './gpu.ts';
import { apiLine, deploymentLifetimeHours, inputShareFromVolumes, inputShareOf, monthlyCost } from './monthly.ts';
import { type CostOption, optionLabel, type ResolvedOption, resolveOption } from './options.ts';
import type { Catalogue } from './schema.ts';
import { roundUsd } from './units.ts';

/**
 * Where self-hosting starts to pay, and monthly cost against volume for the chart. Pure.
 *
 * An API option costs h + r·V a month (hosting plus a blended per-token rate at volume V). A
 * self-hosted one costs C per copy of the model, with as many copies as the volume needs: C·n on
 * ((n−1)·cap, n·cap], a staircase. The break-even is the smallest volume from which self-hosting
 * costs no more than the API at every higher volume: 0 when it never costs more, undefined when the
 * API stays cheaper at high volume (its blended rate is below what a fully used GPU costs per
 * token). A self-hosted option can still win at small volumes against a large hosting fee; that
 * range is reported separately (`selfHostedCheaperBelow`).
 */

type Estimated = { option: CostOption };
type Api = Extract<ResolvedOption, { provider: 'openai' | 'azure' }>;
type Gpu = Extract<ResolvedOption, { provider: 'gpu' }>;

function optionOf(x: CostOption | Estimated): CostOption {
  return 'option' in x ? x.option : x;
}

function resolveOrThrow(option: CostOption, catalogue: Catalogue): ResolvedOption {
  const resolved = resolveOption(option, catalogue);
  if ('error' in resolved) throw new Error(resolved.error);
  return resolved;
}

interface Shapes {
  /** Monthly cost of one copy of the self-hosted model, and the tokens it serves a month. */
  copyUsd: number;
  copyTokens: number;
  hostingUsd: number;
  usdPerToken: number;
}

function shapes(gpu: Gpu, api: Api, catalogue: Catalogue, inputShare: number): Shapes {
  const plan = servingPlan(gpu.gpu, catalogue.self_hosting, gpu.paramsB, 0);
  const line = apiLine(api, catalogue, inputShare);
  return { copyUsd: plan.replicaMonthlyUsd, copyTokens: plan.replicaMonthlyTokens, ...line };
}

/** True when self-hosting costs no more than the API over the whole n-th step of the staircase. */
function stepWins(s: Shapes, n: number): boolean {
  const apiAtStepStart = s.hostingUsd + s.usdPerToken * (n - 1) * s.copyTokens;
  return n * s.copyUsd <= apiAtStepStart * (1 + 1e-12);
}

function breakEvenOf(s: Shapes): number | undefined {
  const saving = s.usdPerToken * s.copyTokens - s.copyUsd; // per fully used copy
  if (saving < 0 || (saving === 0 && !stepWins(s, 1))) return undefined;
  // Every step from n0 on wins: n·C ≤ h + r·(n−1)·cap  ⇔  n ≥ (r·cap − h) ÷ saving.
  let n0 = saving === 0 ? 1 : Math.max(1, Math.ceil((s.usdPerToken * s.copyTokens - s.hostingUsd) / saving));
  while (n0 > 1 && stepWins(s, n0 - 1)) n0 -= 1;
  while (!stepWins(s, n0)) n0 += 1;
  if (n0 === 1) return 0;
  return ((n0 - 1) * s.copyUsd - s.hostingUsd) / s.usdPerToken;
}

/** Self-hosting wins from volume 0 but loses at high volume: the volume where the API takes over. */
function cheaperBelowOf(s: Shapes): number | undefined {
  if (!stepWins(s, 1) || breakEvenOf(s) !== undefined) return undefined;
  let n = 1;
  while (stepWins(s, n + 1) && n < 1e6) n += 1;
  return n * s.copyTokens;
}

function pair(selfHosted: CostOption | Estimated, api: CostOption | Estimated, catalogue: Catalogue) {
  const gpu = resolveOrThrow(optionOf(selfHosted), catalogue);
  const line = resolveOrThrow(optionOf(api), catalogue);
  if (gpu.provider !== 'gpu') throw new Error(`${optionLabel(gpu.option)} is not a self-hosted option.`);
  if (line.provider !== 'openai' && line.provider !== 'azure') {
    throw new Error(`${optionLabel(line.option)} is not an API option with a serving price.`);
  }
  const lifetime = deploymentLifetimeHours(line, catalogue);
  if (lifetime !== undefined) {
    throw new Error(
      `${optionLabel(line.option)} is for evaluation only (its deployment is deleted after ${lifetime} hours): it has no monthly cost to break even with.`,
    );
  }
  return { gpu, line };
}

function checkRatio(inputOutputRatio: number): void {
  if (!(inputOutputRatio >= 0)) throw new Error(`The input:output ratio must be 0 or more, not ${inputOutputRatio}.`);
}

/**
 * Monthly tokens (input + output) from which `selfHosted` costs no more than `api` at any higher
 * volume; 0 if it never costs more; undefined if it never stays cheaper. `inputOutputRatio` is
 * input tokens per output token (3 → 75% input). Throws on options the catalogue cannot price.
 */
export function breakEvenMonthlyTokens(
  selfHosted: CostOption | Estimated,
  api: CostOption | Estimated,
  catalogue: Catalogue,
  inputOutputRatio: number,
): number | undefined {
  checkRatio(inputOutputRatio);
  const { gpu, line } = pair(selfHosted, api, catalogue);
  return breakEvenOf(shapes(gpu, line, catalogue, inputShareOf(inputOutputRatio)));
}

export interface BreakEven {
  selfHosted: string;
  api: string;
  /** See breakEvenMonthlyTokens. */
  monthlyTokens: number | undefined;
  /** What both cost a month at that volume (USD, to the cent). */
  monthlyUsd: number | undefined;
  /** When self-hosting wins only at small volumes: the volume where the API becomes cheaper. */
  selfHostedCheaperBelow?: number;
}

/**
 * Every self-hosted option against every API option of an input that serves all month, with the
 * labels estimate() gives them. Options the catalogue cannot price are skipped (estimate() reports
 * them).
 */
export function breakEvens(
  input: { monthlyInputTokens: number; monthlyOutputTokens: number; options: CostOption[] },
  catalogue: Catalogue,
): BreakEven[] {
  const share = inputShareFromVolumes(input.monthlyInputTokens, input.monthlyOutputTokens);
  const resolved = resolveAll(input.options, catalogue);
  const out: BreakEven[] = [];
  for (const a of resolved) {
    if (a.r.provider !== 'gpu') continue;
    for (const b of resolved) {
      // Only options with a per-token serving price have a line to cross (not Together, Fireworks),
      // and only a service that lasts the month (not Azure's Developer tier).
      if (b.r.provider !== 'openai' && b.r.provider !== 'azure') continue;
      if (deploymentLifetimeHours(b.r, catalogue) !== undefined) continue;
      const s = shapes(a.r, b.r, catalogue, share);
      const at = breakEvenOf(s);
      const below = cheaperBelowOf(s);
      out.push({
        selfHosted: a.label,
        api: b.label,
        monthlyTokens: at,
        monthlyUsd: at === undefined ? undefined : roundUsd(s.hostingUsd + s.usdPerToken * at),
        ...(below === undefined ? {} : { selfHostedCheaperBelow: below }),
      });
    }
  }
  return out;
}

function resolveAll(options: CostOption[], catalogue: Catalogue): Array<{ r: ResolvedOption; label: string }> {
  const seen = new Map<string, number>();
  const out: Array<{ r: ResolvedOption; label: string }> = [];
  for (const option of options) {
    const base = optionLabel(option);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const r = resolveOption(option, catalogue);
    if (!('error' in r)) out.push({ r, label: n === 1 ? base : `${base} #${n}` });
  }
  return out;
}

export interface CurvePoint {
  label: string;
  monthlyTokens: number;
  monthlyUsd: number;
  selfHosted: boolean;
}

/**
 * Monthly cost of each option at each volume (input + output tokens a month, split like the
 * input's volumes, 3:1 when they are zero). Training is left out (it is paid once), and so are
 * options with no priced month of serving to draw (Together, Fireworks, Azure's Developer tier).
 * Self-hosted lines also get a point on each side of every step inside the range, so a chart draws
 * the jumps.
 */
export function costCurve(
  input: { monthlyInputTokens: number; monthlyOutputTokens: number; options: CostOption[] },
  catalogue: Catalogue,
  volumes: number[],
): CurvePoint[] {
  const share = inputShareFromVolumes(input.monthlyInputTokens, input.monthlyOutputTokens);
  const usable = volumes.filter((v) => v >= 0 && Number.isFinite(v));
  const points: CurvePoint[] = [];
  for (const { r, label } of resolveAll(input.options, catalogue)) {
    if (r.provider === 'together' || r.provider === 'fireworks') continue; // serving not priced
    if (deploymentLifetimeHours(r, catalogue) !== undefined) continue; // no month of serving
    const at = r.provider === 'gpu' ? [...usable, ...stepEdges(r, catalogue, usable)].sort((a, b) => a - b) : usable;
    for (const v of at) {
      const m = monthlyCost(r, catalogue, v * share, v * (1 - share));
      points.push({ label, monthlyTokens: v, monthlyUsd: roundUsd(m.totalUsd), selfHosted: r.provider === 'gpu' });
    }
  }
  return points;
}

/** Most steps drawn per self-hosted line; past that the staircase is a ramp at any chart size. */
const MAX_STEPS = 500;

/** Where a self-hosted staircase rises (one more copy of the model), so the line shows the jumps. */
function stepEdges(r: Gpu, catalogue: Catalogue, volumes: number[]): number[] {
  if (volumes.length === 0) return [];
  const copy = servingPlan(r.gpu, catalogue.self_hosting, r.paramsB, 0).replicaMonthlyTokens;
  const lo = Math.min(...volumes);
  const hi = Math.max(...volumes);
  const edges: number[] = [];
  for (let n = Math.max(1, Math.ceil(lo / copy)); n * copy < hi && n <= MAX_STEPS; n++) {
    edges.push(n * copy, n * copy * (1 + 1e-9));
  }
  return edges;
}

/**
 * Volumes for a cost curve on a log axis: from a hundredth to a hundred times `aroundTokens` (and
 * wide enough for every `include` volume), `perDecade` steps a decade, plus the `include` volumes
 * themselves so break-evens sit exactly on the lines.
 */
export function curveVolumes(aroundTokens: number, include: number[] = [], perDecade = 12): number[] {
  const centre = aroundTokens > 0 ? aroundTokens : 10_000_000;
  const marks = include.filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(centre / 100, ...marks.map((v) => v / 3))));
  const hi = Math.ceil(Math.log10(Math.max(centre * 100, ...marks.map((v) => v * 3))));
  const volumes = new Set<number>(marks);
  for (let i = lo * perDecade; i <= hi * perDecade; i++) volumes.add(Number((10 ** (i / perDecade)).toPrecision(6)));
  return [...volumes].sort((a, b) => a - b);
}
