import type { Answers } from '../../src/advisor/questionnaire.ts';

/** The clock the advisor tests run at: 44 days before OpenAI stops taking new fine-tuning jobs. */
export const NOW = new Date('2026-11-23T12:00:00Z');

/** The source blog's example: large data, high specialization, flexible latency. */
export const LEGAL: Answers = {
  useCase: 'Legal document classification',
  taskType: 'classification',
  examples: 20_000,
  dataVolume: 'large',
  specialization: 'high',
  latency: 'flexible',
  sensitivity: 'internal',
  monthlyTokens: 50_000_000,
  tried: [],
  knowledgeChange: 'rarely',
};

/** No reason to fine-tune at all: the starting point that each test changes one answer of. */
export const PLAIN: Answers = {
  useCase: 'Support replies',
  taskType: 'style',
  examples: 500,
  dataVolume: 'small',
  specialization: 'low',
  latency: 'flexible',
  sensitivity: 'internal',
  monthlyTokens: 10_000_000,
  tried: [],
  knowledgeChange: 'rarely',
};
