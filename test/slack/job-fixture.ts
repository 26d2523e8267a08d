import type { JobRecord } from '../../src/store/types.ts';

/** A job record for the job builders' tests; override what the test is about. */
export const NOW = new Date('2026-11-24T12:00:00Z');

export function makeJob(over: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 'ft-7k2m9q',
    teamId: 'T1',
    channelId: 'C0CHAN',
    requestedBy: 'U0ASKER',
    provider: 'openai',
    request: {
      model: 'gpt-4.1-mini-2025-04-14',
      method: 'supervised',
      trainingFileName: 'support.jsonl',
      suffix: 'support-bot',
      hyperparameters: { nEpochs: 3, batchSize: 'auto', learningRateMultiplier: 'auto' },
    },
    phase: 'running',
    estimateUsd: 1.75,
    providerJobId: 'ftjob-abc123',
    providerStatus: 'running',
    fineTunedModel: null,
    messageTs: '1700000000.000100',
    eventCursor: null,
    progress: {
      step: 480,
      totalSteps: 1000,
      trainLoss: 0.4213,
      validLoss: 0.512,
      trainedTokens: 1_234_567,
      estimatedFinish: '2026-11-24T12:12:00.000Z',
    },
    actualUsd: null,
    error: null,
    approval: null,
    createdAt: '2026-11-24T11:00:00.000Z',
    updatedAt: '2026-11-24T11:50:00.000Z',
    startedAt: '2026-11-24T11:05:00.000Z',
    finishedAt: null,
    lastEventAt: '2026-11-24T11:59:00.000Z',
    lastEditAt: null,
    ...over,
  };
}

/** Every button in a message or view: action id, label, value. */
export function buttons(
  blocks: readonly unknown[],
): { action_id: string; text: string; value?: string; style?: string; confirm?: unknown }[] {
  const out: { action_id: string; text: string; value?: string; style?: string; confirm?: unknown }[] = [];
  const visit = (el: Record<string, unknown>) => {
    if (el.type === 'button') {
      out.push({
        action_id: String(el.action_id),
        text: String((el.text as { text: string }).text),
        ...(typeof el.value === 'string' ? { value: el.value } : {}),
        ...(typeof el.style === 'string' ? { style: el.style } : {}),
        ...(el.confirm ? { confirm: el.confirm } : {}),
      });
    }
  };
  for (const b of blocks as Record<string, unknown>[]) {
    for (const el of (b.elements ?? []) as Record<string, unknown>[]) visit(el);
    if (b.accessory) visit(b.accessory as Record<string, unknown>);
  }
  return out;
}

/** All text a person would read in the blocks, joined. */
export function textOf(blocks: readonly unknown[]): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') parts.push(o.text);
      else Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return parts.join('\n');
}
