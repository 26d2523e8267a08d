import type { Answers } from '../../src/advisor/questionnaire.ts';
import { recommend } from '../../src/advisor/recommend.ts';
import type { NewJob, Store, StoreOptions } from '../../src/store/index.ts';

/** What the parts of the store suite (contract.ts) share. */

/** What each part of the suite is handed: stores opened through it are closed after each test. */
export interface ContractContext {
  open(options?: StoreOptions): Promise<Store>;
  exec(sql: string): Promise<void>;
}

export const job = (over: Partial<NewJob> = {}): NewJob => ({
  teamId: 'T1',
  channelId: 'C1',
  requestedBy: 'U1',
  provider: 'openai',
  request: {
    model: 'gpt-4.1-mini-2025-04-14',
    method: 'supervised',
    trainingFileId: 'file-abc',
    trainingFileName: 'train.jsonl',
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
  },
  phase: 'starting',
  estimateUsd: 12.5,
  ...over,
});

const answers: Answers = {
  useCase: 'Ticket triage',
  taskType: 'classification',
  examples: 2500,
  dataVolume: 'medium',
  specialization: 'medium',
  latency: 'flexible',
  sensitivity: 'internal',
  monthlyTokens: 1e7,
  tried: ['prompting'],
  knowledgeChange: 'rarely',
};

export const session = (userId = 'U1', teamId = 'T1') => ({
  teamId,
  userId,
  channelId: 'C1',
  answers,
  recommendation: recommend(answers, new Date('2026-11-23T00:00:00Z')),
});

/** A clock the test moves. */
export function testClock(start = '2026-11-23T12:00:00.000Z') {
  let at = Date.parse(start);
  return {
    now: () => new Date(at),
    advance(ms: number) {
      at += ms;
    },
    ago: (ms: number) => new Date(at - ms).toISOString(),
  };
}
