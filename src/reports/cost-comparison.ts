import { costChartSpec } from '../charts/cost-chart.ts';
import { renderPng } from '../charts/render.ts';
import type { BreakEven } from '../cost/break-even.ts';
import type { Catalogue } from '../cost/catalogue.ts';
import {
  breakEvens,
  type CostOption,
  costCurve,
  curveVolumes,
  estimate,
  type OptionEstimate,
} from '../cost/estimate.ts';
import { inputShareFromVolumes } from '../cost/monthly.ts';
import { tokensText } from '../cost/units.ts';
import { splitWords } from './cost-table.ts';

export interface CostComparisonRequest {
  trainingTokens: number;
  epochs: number;
  monthlyInputTokens: number;
  monthlyOutputTokens: number;
  options: CostOption[];
}

export interface CostComparison {
  trainingTokens: number;
  epochs: number;
  monthlyTokens: number;
  monthlyInputTokens: number;
  monthlyOutputTokens: number;
  /** The share of input tokens serving is priced at (and the chart drawn at): 0.75 is 3 in, 1 out. */
  inputShare: number;
  estimates: OptionEstimate[];
  breakEvens: BreakEven[];
  /** Options that could not be priced, in plain words; the others are still compared. */
  errors: string[];
  /** The chart as PNG, rendered only when asked for (it costs ~100 ms of CPU). */
  chart: () => Promise<Buffer>;
}

/** Everything `/finetune cost` and `finetune-bot estimate` show: the table, break-evens, the chart. */
export function compareCosts(request: CostComparisonRequest, catalogue: Catalogue, now: Date): CostComparison {
  const result = estimate(request, catalogue, now);
  const marks = breakEvens(request, catalogue);
  const monthlyTokens = request.monthlyInputTokens + request.monthlyOutputTokens;
  const volumes = {
    monthlyInputTokens: request.monthlyInputTokens,
    monthlyOutputTokens: request.monthlyOutputTokens,
    inputShare: inputShareFromVolumes(request.monthlyInputTokens, request.monthlyOutputTokens),
  };
  return {
    trainingTokens: request.trainingTokens,
    epochs: request.epochs,
    monthlyTokens,
    ...volumes,
    estimates: result.options,
    breakEvens: marks,
    errors: result.errors,
    chart: () => {
      const crossings = marks.map((b) => b.monthlyTokens).filter((v): v is number => v !== undefined);
      const curve = costCurve(request, catalogue, curveVolumes(monthlyTokens, [monthlyTokens, ...crossings]));
      return renderPng(
        costChartSpec(curve, marks, {
          title: 'Monthly cost against monthly volume',
          subtitle: `Serving only, ${splitWords(volumes.inputShare)}; training (${tokensText(request.trainingTokens)} tokens × ${request.epochs} epochs) is paid once`,
          ...(monthlyTokens > 0 ? { volume: monthlyTokens } : {}),
        }),
      );
    },
  };
}
