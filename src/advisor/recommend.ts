import {
  openAiAcceptsNewJobs,
  openAiWarning,
  type ProviderOption,
  type ProviderSuggestion,
  suggestProvider,
} from './providers.ts';
import {
  type Answers,
  DATA_VOLUMES,
  type DataVolume,
  MEDIUM_DATA_MIN_EXAMPLES,
  type Tried,
  volumeForExamples,
} from './questionnaire.ts';

/**
 * recommend(): should this team fine-tune, and where. Pure: answers and a clock in, an explained
 * verdict out. The rules, in the order they decide:
 *
 * 1. Knowledge that changes weekly or faster, or Q&A over documents, and RAG not tried yet
 *    → RAG first: fine-tuning teaches behaviour and format, not facts that move. This comes before
 *    the example count because RAG needs no labelled examples at all; with fewer than 10, how many
 *    to collect for a later fine-tune is added as a further reason.
 * 2. Fewer than 10 labelled examples → not yet (the providers' minimum); say how many to collect.
 * 3. The source blog's three rules, any one of which means fine-tune:
 *    high specialization; a medium or large data set; strict latency (a smaller tuned model).
 * 4. Otherwise → no: few-shot prompting, RAG, and system prompt engineering are cheaper.
 *
 * The size of the data set is judged from the number of labelled examples, using the buckets
 * defined once in questionnaire.ts (small under 1,000; medium 1,000 to 10,000; large over 10,000),
 * because the model learns only from labelled pairs. When the data volume the user picked is a
 * different bucket from the one their count falls in, a warning says so in plain words, in either
 * direction, and the count decides.
 *
 * The provider suggestion (providers.ts) applies to every verdict except "no".
 */

export const MIN_EXAMPLES = 10;
export const GOOD_START_EXAMPLES = 50;
export const RULES_VERSION = 2;

export type Verdict = 'fine_tune' | 'not_yet' | 'rag_first' | 'no';
export type Confidence = 'low' | 'medium' | 'high';

export interface Alternative {
  name: string;
  why: string;
  tried: boolean;
}

export interface Recommendation {
  rulesVersion: number;
  verdict: Verdict;
  fineTune: boolean;
  headline: string;
  reasons: string[];
  alternatives: Alternative[];
  provider?: ProviderSuggestion;
  otherProviders: ProviderOption[];
  confidence: Confidence;
  warnings: string[];
}

const ALTERNATIVES: Record<'few_shot' | 'rag' | 'system_prompt', Omit<Alternative, 'tried'> & { tried: Tried }> = {
  few_shot: {
    name: 'Few-shot prompting',
    why: 'Put three to five worked examples in the prompt. It costs nothing to try and often closes most of the gap.',
    tried: 'prompting',
  },
  rag: {
    name: 'RAG with your domain documents',
    why: 'Retrieve the relevant passages at question time, so answers cite your documents and stay current when they change.',
    tried: 'rag',
  },
  system_prompt: {
    name: 'System prompt engineering',
    why: 'Spell out the rules, tone and output format once in the system prompt; add structured outputs for strict formats.',
    tried: 'prompting',
  },
};

function alternatives(a: Answers, ragFirst: boolean): Alternative[] {
  const order = ragFirst
    ? (['rag', 'few_shot', 'system_prompt'] as const)
    : (['few_shot', 'rag', 'system_prompt'] as const);
  return order.map((key) => {
    const alt = ALTERNATIVES[key];
    return { name: alt.name, why: alt.why, tried: a.tried.includes(alt.tried) };
  });
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

const VOLUME_ORDER: Record<DataVolume, number> = { small: 0, medium: 1, large: 2 };

/**
 * A plain-words warning when the data volume the user picked and the number of labelled examples
 * they gave fall in different buckets; undefined when they agree.
 */
function volumeMismatch(a: Answers): string | undefined {
  const counted = volumeForExamples(a.examples);
  if (counted === a.dataVolume) return undefined;
  const stated = `You chose "${DATA_VOLUMES[a.dataVolume]}" for the data volume`;
  const has = `but have ${plural(a.examples, 'labelled example')}, which is a ${counted} data set`;
  if (VOLUME_ORDER[counted] < VOLUME_ORDER[a.dataVolume]) {
    return (
      `${stated} ${has}. This advice goes by the examples you can train on: the model learns only from labelled ` +
      'pairs, so if you have more data, label it first.' +
      (counted === 'small' ? ' At this size the amount of data is not, on its own, a reason to fine-tune.' : '')
    );
  }
  return (
    `${stated} ${has}. This advice goes by the count: that many labelled examples is a reason to fine-tune ` +
    'on its own.'
  );
}

/** The blog's three rules, each with its reason in plain words. */
function fineTuneSignals(a: Answers): string[] {
  const signals: string[] = [];
  if (a.specialization === 'high') {
    signals.push(
      'High specialization: a tuned model learns a narrow, expert task more reliably than a prompt can describe it.',
    );
  }
  const counted = volumeForExamples(a.examples);
  if (counted === 'medium' || counted === 'large') {
    signals.push(
      `A ${counted} data set (${plural(a.examples, 'labelled example')}): enough to teach the model the task instead of describing it.`,
    );
  }
  if (a.latency === 'strict') {
    signals.push(
      'Strict latency: a smaller fine-tuned model can match a large prompted one while answering faster and cheaper.',
    );
  }
  return signals;
}

const STEP_DOWN: Record<Confidence, Confidence> = { high: 'medium', medium: 'low', low: 'low' };

export function recommend(a: Answers, now: Date): Recommendation {
  const signals = fineTuneSignals(a);
  const movingKnowledge = a.knowledgeChange === 'weekly' || a.knowledgeChange === 'daily';
  const documentQa = a.taskType === 'domain_qa';
  const triedRag = a.tried.includes('rag');
  const triedPrompting = a.tried.includes('prompting');
  const warnings: string[] = [];
  const reasons: string[] = [];
  const mismatch = volumeMismatch(a);
  if (mismatch) warnings.push(mismatch);
  const tooFew = a.examples < MIN_EXAMPLES;
  const more = MIN_EXAMPLES - a.examples;
  let verdict: Verdict;
  let confidence: Confidence;

  if ((movingKnowledge || documentQa) && !triedRag) {
    verdict = 'rag_first';
    confidence = movingKnowledge && documentQa ? 'high' : 'medium';
    if (movingKnowledge) {
      reasons.push(
        `The knowledge changes ${a.knowledgeChange}: a fine-tuned model freezes what it learned, so it would be out of date ` +
          'within weeks. Retrieval reads the current documents every time.',
      );
    }
    if (documentQa) {
      reasons.push(
        'Q&A over documents is a retrieval problem first: fine-tuning teaches behaviour and format, not reliable recall of facts.',
      );
    }
    if (signals.length > 0) {
      reasons.push(`Fine-tuning can come later, on top of RAG, for the form of the answers. ${signals.join(' ')}`);
    }
    if (tooFew) {
      reasons.push(
        `To fine-tune later, collect at least ${more} more labelled example${more === 1 ? '' : 's'} first: you have ` +
          `${a.examples}, and the providers refuse training files with fewer than ${MIN_EXAMPLES}.`,
      );
    }
  } else if (tooFew) {
    verdict = 'not_yet';
    confidence = 'high';
    reasons.push(
      `You have ${plural(a.examples, 'labelled example')}; the providers refuse training files with fewer than ${MIN_EXAMPLES}. ` +
        `Collect at least ${more} more, and aim for ${GOOD_START_EXAMPLES}–100: that is where improvements usually show.`,
    );
    if (signals.length > 0) reasons.push(`Once you have them, fine-tuning fits. ${signals.join(' ')}`);
  } else if (signals.length > 0) {
    verdict = 'fine_tune';
    reasons.push(...signals);
    let score = signals.length + (triedPrompting ? 1 : 0);
    if (triedPrompting) reasons.push('You already tried prompting, so a tuned model is the next step up.');
    if (movingKnowledge || documentQa) {
      score -= 1;
      reasons.push('You already use RAG: keep it for the facts and fine-tune for the behaviour and format.');
    }
    if (a.examples < GOOD_START_EXAMPLES) {
      score -= 1;
      warnings.push(
        `${a.examples} examples is enough to start a job but thin: results usually improve from ${GOOD_START_EXAMPLES}–100 well-made examples.`,
      );
    }
    confidence = score >= 2 ? 'high' : score === 1 ? 'medium' : 'low';
  } else {
    verdict = 'no';
    reasons.push(
      `Specialization is ${a.specialization}, ${plural(a.examples, 'labelled example')} is a small data set, and latency is flexible: ` +
        'none of the reasons to fine-tune apply, ' +
        'and a general model with a good prompt usually matches a tuned one here at a fraction of the cost.',
    );
    confidence = a.specialization === 'low' ? 'high' : 'medium';
    if (triedPrompting) {
      confidence = STEP_DOWN[confidence];
      reasons.push(
        'You tried prompting already; if it still falls short, collect more examples: a medium data set ' +
          `(${MEDIUM_DATA_MIN_EXAMPLES.toLocaleString('en-US')} or more labelled examples) would change this verdict.`,
      );
    }
  }

  const providers = verdict === 'no' ? undefined : suggestProvider(a, now);
  const offersOpenAi = providers?.others.some((o) => o.provider === 'openai') ?? false;
  if (offersOpenAi || !openAiAcceptsNewJobs(now)) warnings.push(openAiWarning(now));

  return {
    rulesVersion: RULES_VERSION,
    verdict,
    fineTune: verdict === 'fine_tune',
    headline: headline(verdict, a),
    reasons,
    alternatives: verdict === 'fine_tune' ? [] : alternatives(a, verdict === 'rag_first'),
    ...(providers ? { provider: providers.suggestion } : {}),
    otherProviders: providers?.others ?? [],
    confidence,
    warnings,
  };
}

function headline(verdict: Verdict, a: Answers): string {
  switch (verdict) {
    case 'fine_tune':
      return 'Fine-tune: yes';
    case 'not_yet':
      return `Fine-tune: not yet (collect ${MIN_EXAMPLES - a.examples} more examples first)`;
    case 'rag_first':
      return 'Fine-tune: not first; start with RAG';
    case 'no':
      return 'Fine-tune: no; prompting should do';
  }
}
