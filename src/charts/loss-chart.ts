import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH, FIT } from './theme.ts';

/**
 * lossChartSpec(): training and validation loss against step, for a job's completion summary.
 * Trainers write NaN as null and evaluate only now and then, so a point missing either loss is
 * simply left out of that line; validation gets dots because it is sparse.
 */

export interface LossPoint {
  step: number;
  trainLoss?: number | null;
  validLoss?: number | null;
}

export interface LossChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

const TRAIN = 'Training loss';
const VALID = 'Validation loss';

const usable = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** The long-form rows the chart draws: one per (step, series) that has a finite loss. */
export function lossRows(points: LossPoint[]): Array<{ step: number; series: string; loss: number }> {
  const rows: Array<{ step: number; series: string; loss: number }> = [];
  for (const p of points) {
    if (!Number.isFinite(p.step)) continue;
    if (usable(p.trainLoss)) rows.push({ step: p.step, series: TRAIN, loss: p.trainLoss });
    if (usable(p.validLoss)) rows.push({ step: p.step, series: VALID, loss: p.validLoss });
  }
  return rows.sort((a, b) => a.step - b.step);
}

export function lossChartSpec(points: LossPoint[], options: LossChartOptions = {}): TopLevelSpec {
  const rows = lossRows(points);
  const x = { field: 'step', type: 'quantitative', axis: { title: 'Step', tickMinStep: 1, format: ',d' } } as const;
  const y = { field: 'loss', type: 'quantitative', scale: { zero: false }, axis: { title: 'Loss' } } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: [TRAIN, VALID], range: ['#4e79a7', '#f28e2b'] },
    legend: { title: null, orient: 'top-right', symbolType: 'stroke' },
  } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Loss by step',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    width: options.width ?? CHART_WIDTH,
    height: options.height ?? CHART_HEIGHT,
    autosize: FIT,
    config: CHART_CONFIG,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' }, encoding: { x, y, color } },
      {
        transform: [{ filter: `datum.series === '${VALID}'` }],
        mark: { type: 'point', filled: true, size: 40 },
        encoding: { x, y, color },
      },
    ],
  };
  return spec;
}
