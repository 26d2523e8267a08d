import type { ResolvedOption } from './options.ts';
import type { Catalogue } from './schema.ts';
import { PER_MILLION, plural, rateText, tokensText } from './units.ts';

/**
 * The training part of an estimate on the hosted services for open-weight models (Together AI,
 * Fireworks AI). Serving is left out on purpose: neither publishes a per-token rate for a tuned
 * model we could source (Together serves tuned models on dedicated endpoints billed by the minute;
 * Fireworks' LoRA add-ons deploy on dedicated deployments), so the month is "not priced" rather
 * than a wrong $0.
 */

export interface Parts {
  trainingUsd: number;
  gpuHours?: number;
  wallHours?: number;
  assumptions: string[];
  warnings: string[];
  dates: string[];
  sources: string[];
  /** The rates this rests on that are placeholders, not published prices. */
  placeholders?: Array<'training' | 'hosting'>;
}

export const OPEN_SERVING_NOT_PRICED =
  'Serving the tuned model is not priced: the provider bills it by dedicated hardware (by the minute), not per token.';

const isUnverified = (note: string | undefined) => note !== undefined && /^UNVERIFIED/.test(note);

type Open = Extract<ResolvedOption, { provider: 'together' | 'fireworks' }>;

function bracketWords(r: Open, brackets: ReadonlyArray<{ up_to_params_b: number }>): string {
  const i = brackets.findIndex((b) => b.up_to_params_b === r.bracket.up_to_params_b);
  const from = i > 0 ? brackets[i - 1]?.up_to_params_b : undefined;
  return from === undefined ? `up to ${r.bracket.up_to_params_b}B` : `${from}–${r.bracket.up_to_params_b}B`;
}

export function openParts(r: Open, input: { trainingTokens: number; epochs: number }, catalogue: Catalogue): Parts {
  const price = r.provider === 'together' ? catalogue.together.training : catalogue.fireworks.training;
  const billed = input.trainingTokens * input.epochs;
  const bracket = bracketWords(r, price.brackets);
  const assumptions: string[] = [];
  const warnings: string[] = [];
  let tokens = billed;
  if (r.provider === 'together') {
    const o = r.option.provider === 'together' ? r.option : undefined;
    const evals = o?.nEvals ?? 0;
    const validation = o?.validationTokens ?? 0;
    const evalTokens = evals * validation;
    tokens += evalTokens;
    const how = `${r.method === 'dpo' ? 'DPO' : 'supervised'} ${r.tuning === 'full' ? 'full fine-tuning' : 'LoRA'}`;
    const parts = `${tokensText(input.trainingTokens)} × ${plural(input.epochs, 'epoch')}${evalTokens > 0 ? ` + ${plural(evals, 'evaluation')} × ${tokensText(validation)} validation tokens` : ''}`;
    assumptions.push(
      `Training: ${tokensText(tokens)} tokens processed (${parts}) at Together’s ${rateText(r.perMillion)} per 1M for ${how} on models ${bracket} (${r.paramsB}B).`,
    );
    if (evals > 0 && validation === 0) {
      assumptions.push(
        'Evaluations on a validation file are billed too (n_evals × its tokens) and are not counted here.',
      );
    }
  } else {
    assumptions.push(
      `Training: ${tokensText(billed)} billed tokens (${tokensText(input.trainingTokens)} × ${plural(input.epochs, 'epoch')}) at Fireworks’ ${rateText(r.perMillion)} per 1M for models ${bracket} (${r.paramsB}B).`,
    );
  }
  assumptions.push(OPEN_SERVING_NOT_PRICED);
  if (isUnverified(price.note)) {
    const who = r.provider === 'together' ? 'Together' : 'Fireworks';
    warnings.push(
      `${who}’s ${rateText(r.perMillion)}/1M training price is unverified (read from a copy of its pricing page).`,
    );
  }
  return {
    trainingUsd: (tokens / PER_MILLION) * r.perMillion,
    assumptions,
    warnings,
    dates: [price.as_of],
    sources: [price.source],
  };
}
