import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAmount } from '../advisor/questionnaire.ts';
import { loadCatalogue } from '../cost/load.ts';
import { DEFAULT_INPUT_SHARE as INPUT_SHARE } from '../cost/monthly.ts';
import { DEFAULT_MODEL, findModel } from '../data/models.ts';
import { readFileChunks } from '../data/read-file.ts';
import { validateJsonl } from '../data/validate.ts';
import { compareCosts } from '../reports/cost-comparison.ts';
import { DEFAULT_SELF_HOSTED_B, decodeOption, defaultOptions } from '../reports/cost-options.ts';
import { formatCostText } from './format-cost.ts';
import { type Io, UsageError } from './io.ts';

function amount(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = parseAmount(raw);
  if (n === undefined || n < 0) throw new UsageError(`${flag} expects a token count such as 2M or 500k, not "${raw}".`);
  return Math.round(n);
}

/** `finetune-bot estimate`: the cost comparison of `/finetune cost`, as a table, JSON, or a PNG chart. */
export async function runEstimate(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      tokens: { type: 'string' },
      file: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL },
      epochs: { type: 'string' },
      'monthly-tokens': { type: 'string', default: '0' },
      option: { type: 'string', multiple: true },
      'params-b': { type: 'string', default: String(DEFAULT_SELF_HOSTED_B) },
      prices: { type: 'string' },
      chart: { type: 'string' },
      json: { type: 'boolean', default: false },
      'allow-errors': { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`estimate takes no positional arguments (got ${positionals[0]}).`);
  const model = findModel(values.model);
  if (!model) throw new UsageError(`unknown model ${values.model}.`);
  const paramsB = Number(values['params-b']);
  if (!Number.isFinite(paramsB) || paramsB <= 0) throw new UsageError('--params-b expects a size in billions, e.g. 8.');
  const prices = loadCatalogue(values.prices ?? io.env.PRICES_FILE);

  let trainingTokens = amount(values.tokens, '--tokens');
  let fileHadErrors = false;
  let epochs: number | 'auto' = values.epochs === undefined ? 'auto' : Number(values.epochs);
  if (epochs !== 'auto' && (!Number.isInteger(epochs) || epochs < 1 || epochs > 50)) {
    throw new UsageError('--epochs is a whole number from 1 to 50.');
  }
  if (values.file) {
    const report = await validateJsonl(readFileChunks(values.file), { model: model.id, epochs });
    if (report.fatal) {
      io.err(`finetune-bot: ${values.file}: ${report.fatal}`);
      return 1;
    }
    trainingTokens = report.trainingTokens;
    epochs = report.epochs.value;
    if (report.totalErrors > 0) {
      // The estimate counts only the examples that passed: a file with errors is priced short.
      const skipped = report.examples - report.validExamples;
      io.err(
        `finetune-bot: ${values.file} has ${report.totalErrors.toLocaleString('en-US')} error${report.totalErrors === 1 ? '' : 's'}: ` +
          `priced only its ${report.validExamples.toLocaleString('en-US')} valid example${report.validExamples === 1 ? '' : 's'}` +
          `${skipped > 0 ? ` (${skipped.toLocaleString('en-US')} left out)` : ''}. Run finetune-bot validate on it` +
          `${values['allow-errors'] ? '.' : ', or pass --allow-errors to accept this estimate.'}`,
      );
      fileHadErrors = !values['allow-errors'];
    }
  }
  if (trainingTokens === undefined) throw new UsageError('give --tokens N or --file FILE.');
  const monthly = amount(values['monthly-tokens'], '--monthly-tokens') ?? 0;

  const options = (values.option ?? []).map((raw) => {
    const option = decodeOption(raw.replaceAll(':', '|'), paramsB);
    if (!option) {
      throw new UsageError(
        `--option ${raw} is not openai:MODEL, azure:TIER:MODEL, together:[supervised|dpo:lora|full:]MODEL, fireworks:MODEL or gpu:GPU:METHOD.`,
      );
    }
    return option;
  });
  const comparison = compareCosts(
    {
      trainingTokens,
      epochs: epochs === 'auto' ? 3 : epochs,
      monthlyInputTokens: Math.round(monthly * INPUT_SHARE),
      monthlyOutputTokens: monthly - Math.round(monthly * INPUT_SHARE),
      options:
        options.length > 0
          ? options
          : defaultOptions(model.id, prices).map((o) => (o.provider === 'gpu' ? { ...o, modelParamsB: paramsB } : o)),
    },
    prices,
    io.now(),
  );
  if (values.chart) {
    writeFileSync(values.chart, await comparison.chart());
  }
  if (values.json) {
    const { chart: _chart, ...data } = comparison;
    io.out(JSON.stringify(data, null, 2));
  } else {
    io.out(formatCostText(comparison));
    if (values.chart) io.out(`\nChart written to ${values.chart}.`);
  }
  if (comparison.estimates.length === 0 || fileHadErrors) return 1;
  return 0;
}
