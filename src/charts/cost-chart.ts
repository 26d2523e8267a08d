import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH, decades, FIT, TOKENS_LABEL, USD_LABEL } from './theme.ts';

/**
 * costChartSpec(): the cost comparison as a Vega-Lite spec, pure data in and out. Monthly cost
 * against monthly volume, both on log scales: a per-token API is then a straight line and a rented
 * GPU a flat step, so where they cross reads at a glance. Self-hosted lines are dashed, in the
 * legend too; every break-even gets a dashed rule, a dot with a letter and its volume, and a line
 * under the title saying which two options meet there. The volume the person gave gets a solid
 * rule, labelled, with a dot on each line where it crosses. Training is left out (it is paid once).
 *
 * The inputs are structural, so src/cost's costCurve() and breakEvens() results fit as they are.
 */

export interface CostCurvePoint {
  label: string;
  monthlyTokens: number;
  monthlyUsd: number;
  selfHosted?: boolean;
}

export interface BreakEvenMark {
  selfHosted: string;
  api: string;
  monthlyTokens: number | undefined;
  monthlyUsd?: number | undefined;
}

export interface CostChartOptions {
  title?: string;
  subtitle?: string;
  /** The monthly volume the person gave (input + output tokens): marked, when it is on the chart. */
  volume?: number;
  width?: number;
  height?: number;
}

type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/** Break-evens beyond this many are left off: the key under the title would crowd out the plot. */
const MAX_MARKS = 6;

/** Dash patterns: solid for per-token APIs, dashed for GPUs kept on all month. */
const SOLID = [1, 0];
const DASHED = [7, 4];

/**
 * How far the x and y domains reach past the outermost decade, as a share of the plot: enough that
 * a line's last point, its stroke and a dot on it are drawn whole instead of cut at the edge.
 */
const EDGE_PAD = 0.025;

/** A log domain widened by `share` of its span on each side. */
function padded(lo: number, hi: number, share: number): [number, number] {
  const pad = (Math.log10(hi) - Math.log10(lo)) * share;
  return [10 ** (Math.log10(lo) - pad), 10 ** (Math.log10(hi) + pad)];
}

function tokensShort(n: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) if (n >= size) return `${Number((n / size).toPrecision(3))}${suffix}`;
  return String(Math.round(n));
}

/**
 * As many legend columns as fit the width (at most 3), guessing ~7 px a character at 12 px type.
 * The legend sits on top: vega 6 misplaces a multi-line title above a bottom legend when fitting.
 */
function legendColumns(labels: string[], width: number): number {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  const column = 50 + 7.5 * longest;
  // The legend starts where the plot does, right of the y axis (~100 px).
  return Math.max(1, Math.min(3, labels.length, Math.floor((width - 100) / column)));
}

function usdShort(usd: number): string {
  return `$${usd.toLocaleString('en-US', { maximumFractionDigits: usd < 100 ? 2 : 0 })}`;
}

/** "Own GPU: H100-80GB LoRA, 8B" → "H100-80GB LoRA, 8B": the label's provider prefix is implied. */
const shortLabel = (label: string) => label.replace(/^Own GPU:\s*/, '');

export function costChartSpec(
  curve: CostCurvePoint[],
  breakEvens: BreakEvenMark[] = [],
  options: CostChartOptions = {},
): TopLevelSpec {
  const width = options.width ?? CHART_WIDTH;
  const points = curve.filter(
    (p) => p.monthlyTokens > 0 && p.monthlyUsd > 0 && Number.isFinite(p.monthlyTokens) && Number.isFinite(p.monthlyUsd),
  );
  const xs = points.map((p) => p.monthlyTokens);
  const ys = points.map((p) => p.monthlyUsd);
  const xTicks = xs.length > 0 ? decades(Math.min(...xs), Math.max(...xs)) : decades(1e6, 1e10);
  const xMin = xTicks[0] ?? 1e6;
  const xMax = xTicks[xTicks.length - 1] ?? 1e10;

  const marks = breakEvens
    .filter(
      (b): b is BreakEvenMark & { monthlyTokens: number } =>
        b.monthlyTokens !== undefined && b.monthlyTokens >= xMin && b.monthlyTokens <= xMax,
    )
    .sort((a, b) => a.monthlyTokens - b.monthlyTokens)
    .slice(0, MAX_MARKS)
    .map((b, i) => {
      const key = String.fromCharCode(65 + i);
      const usd = b.monthlyUsd === undefined ? '' : ` (${usdShort(b.monthlyUsd)}/month)`;
      return {
        monthlyTokens: b.monthlyTokens,
        monthlyUsd: b.monthlyUsd,
        text: key,
        key: `${key}: ${shortLabel(b.selfHosted)} costs the same as ${b.api} at ${tokensShort(b.monthlyTokens)} tokens/month${usd}`,
        above: true,
        // Labels on the right of the plot hang to the left of their dot so they stay inside it.
        right: Math.log(b.monthlyTokens / xMin) / Math.log(xMax / xMin) < 0.8,
      };
    });
  // Two dots close together: the dearer one's letter goes above, the cheaper one's below, so each
  // letter sits by its own dot instead of by its neighbour's.
  const span = Math.log(xMax / xMin);
  marks.forEach((mark, i) => {
    const prev = marks[i - 1];
    if (!prev || Math.log(mark.monthlyTokens / prev.monthlyTokens) / span > 0.06) return;
    const higher = (mark.monthlyUsd ?? 0) >= (prev.monthlyUsd ?? 0);
    mark.above = higher;
    prev.above = !higher;
  });
  const markYs = marks.flatMap((m) => (m.monthlyUsd !== undefined && m.monthlyUsd > 0 ? [m.monthlyUsd] : []));
  const allYs = [...ys, ...markYs];
  const yTicks = allYs.length > 0 ? decades(Math.min(...allYs), Math.max(...allYs)) : decades(1, 1e4);
  const yDomain = padded(yTicks[0] ?? 1, yTicks[yTicks.length - 1] ?? 1e4, EDGE_PAD);

  const x = {
    field: 'monthlyTokens',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain: padded(xMin, xMax, EDGE_PAD) },
    axis: { title: 'Monthly volume (input + output tokens, log scale)', values: xTicks, labelExpr: TOKENS_LABEL },
  };
  const y = {
    field: 'monthlyUsd',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain: yDomain },
    axis: { title: 'Monthly cost (USD, log scale)', values: yTicks, labelExpr: USD_LABEL },
  };
  const labels = [...new Set(points.map((p) => p.label))];
  const selfHostedLabels = new Set(points.filter((p) => p.selfHosted).map((p) => p.label));
  const volume =
    options.volume !== undefined && options.volume >= xMin && options.volume <= xMax ? options.volume : undefined;
  const atVolume = volume === undefined ? [] : points.filter((p) => p.monthlyTokens === volume);
  const dotted = marks.filter((m) => m.monthlyUsd !== undefined && m.monthlyUsd > 0);
  const labelLayer = (above: boolean, right: boolean): Layer => ({
    data: { values: dotted.filter((m) => m.above === above && m.right === right) },
    mark: {
      type: 'text',
      align: right ? 'left' : 'right',
      baseline: above ? 'bottom' : 'top',
      dx: right ? 7 : -7,
      dy: above ? -5 : 5,
      fontSize: 12,
      fontWeight: 'bold',
      color: '#222',
    },
    encoding: { x, y, text: { field: 'text' } },
  });
  // Near the right edge the label hangs to the left of its rule, so it stays inside the plot.
  const hangLeft = volume !== undefined && Math.log(volume / xMin) / span > 0.75;
  const volumeLayers: Layer[] =
    volume === undefined
      ? []
      : [
          {
            data: { values: [{ monthlyTokens: volume, text: `Your volume: ${tokensShort(volume)} tokens/month` }] },
            layer: [
              { mark: { type: 'rule', color: '#444', strokeWidth: 1.5 }, encoding: { x } },
              {
                mark: {
                  type: 'text',
                  align: hangLeft ? 'right' : 'left',
                  baseline: 'top',
                  dx: hangLeft ? -5 : 5,
                  dy: 4,
                  fontSize: 12,
                  color: '#222',
                },
                encoding: { x, y: { value: 0 }, text: { field: 'text' } },
              },
            ],
          },
          {
            data: { values: atVolume },
            mark: { type: 'point', filled: true, size: 60, opacity: 1, stroke: 'white', strokeWidth: 1 },
            encoding: { x, y, color: { field: 'label', type: 'nominal', scale: { domain: labels } } },
          },
        ];
  const legend = {
    title: null,
    orient: 'top' as const,
    columns: legendColumns(labels, width),
    symbolType: 'stroke',
    // A 22 px stroke: long enough to show a dash and a gap.
    symbolSize: 480,
  };
  const subtitle = [
    options.subtitle ?? 'Training not included. Solid: per-token APIs. Dashed: your own GPUs, on all month.',
    ...marks.map((m) => m.key),
  ];

  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Monthly cost by monthly volume',
      subtitle,
    },
    width,
    height: options.height ?? CHART_HEIGHT,
    autosize: FIT,
    config: CHART_CONFIG,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 2.5, clip: true },
        encoding: {
          x,
          y,
          color: {
            field: 'label',
            type: 'nominal',
            scale: { domain: labels },
            legend,
          },
          // Keyed by the same field as colour, so Vega-Lite merges the two into one legend whose
          // symbols are dashed like their lines.
          strokeDash: {
            field: 'label',
            type: 'nominal',
            scale: { domain: labels, range: labels.map((l) => (selfHostedLabels.has(l) ? DASHED : SOLID)) },
            legend,
          },
          detail: { field: 'label' },
        },
      },
      ...volumeLayers,
      {
        data: { values: marks },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#777', strokeWidth: 1 },
        encoding: { x },
      },
      {
        data: { values: dotted },
        mark: { type: 'point', filled: true, size: 70, color: '#222', opacity: 1 },
        encoding: { x, y },
      },
      labelLayer(true, true),
      labelLayer(false, true),
      labelLayer(true, false),
      labelLayer(false, false),
    ],
  };
  return spec;
}
