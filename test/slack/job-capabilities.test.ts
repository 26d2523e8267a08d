import { describe, expect, it } from 'vitest';
import { createAzureOpenAIProvider } from '../../src/providers/azure/data-plane.ts';
import { createFireworksProvider } from '../../src/providers/fireworks/index.ts';
import { createOpenAIProvider } from '../../src/providers/openai/index.ts';
import { createTogetherProvider } from '../../src/providers/together/index.ts';
import { HOSTED_CAPABILITIES, KNOWN_CAPABILITIES } from '../../src/slack/job-choice.ts';

describe('the capabilities the job builders fall back on', () => {
  it('are what the adapters say they offer', () => {
    const openai = createOpenAIProvider({ apiKey: 'sk-test' });
    const azure = createAzureOpenAIProvider({ endpoint: 'https://x.openai.azure.com', auth: { apiKey: 'k' } });
    expect(KNOWN_CAPABILITIES.openai).toEqual(openai.capabilities);
    expect(KNOWN_CAPABILITIES.azure).toEqual(azure.capabilities);
    expect(HOSTED_CAPABILITIES).toEqual(openai.capabilities);
    const together = createTogetherProvider({ apiKey: 'k' });
    const fireworks = createFireworksProvider({ apiKey: 'k', accountId: 'acme' });
    expect(KNOWN_CAPABILITIES.together).toEqual(together.capabilities);
    expect(KNOWN_CAPABILITIES.fireworks).toEqual(fireworks.capabilities);
  });
});

describe('the job message context built from the configured providers', () => {
  it('carries the provider’s label, capabilities and hosts, and the prices', async () => {
    const { jobMessageContext } = await import('../../src/slack/job-context.ts');
    const { CATALOGUE } = await import('../../src/cost/catalogue.ts');
    const gpu = {
      label: 'Your GPUs (LoRA)',
      capabilities: KNOWN_CAPABILITIES.gpu,
      hosts: [{ name: 'h100-1', gpuType: 'H100-80GB', gpuCount: 1, maxJobs: 1 }],
    };
    const now = new Date('2026-11-24T12:00:00Z');
    expect(
      jobMessageContext({ provider: 'gpu' }, { now, providers: { gpu: gpu as never }, prices: CATALOGUE }),
    ).toEqual({
      now,
      providerLabel: 'Your GPUs (LoRA)',
      capabilities: KNOWN_CAPABILITIES.gpu,
      hosts: [{ name: 'h100-1', gpuType: 'H100-80GB', gpuCount: 1 }],
      prices: CATALOGUE,
    });
    // A provider no longer configured: its known name, and the builders fall back on its known capabilities.
    expect(jobMessageContext({ provider: 'azure' }, { now, providers: {}, approvers: ['U0A'], maxJobUsd: 5 })).toEqual({
      now,
      providerLabel: 'Azure OpenAI',
      approvers: ['U0A'],
      maxJobUsd: 5,
    });
  });
});
