import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/cost/catalogue.ts';
import type { CostOption } from '../../src/cost/estimate.ts';
import { createProviders, type Providers } from '../../src/providers/index.ts';
import type { ModelInfo, Provider } from '../../src/providers/types.ts';
import { compareCosts } from '../../src/reports/cost-comparison.ts';
import {
  cheapestToStart,
  decodeStartValue,
  encodeStartValue,
  startableOptions,
  startPrefill,
} from '../../src/reports/cost-start.ts';
import { KNOWN_CAPABILITIES } from '../../src/slack/job-choice.ts';
import { applyPricesFile } from '../support/prices.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const MINI = 'gpt-4.1-mini-2025-04-14';
const OPENAI: CostOption = { provider: 'openai', model: MINI };
const AZURE_GLOBAL: CostOption = { provider: 'azure', tier: 'global', model: MINI };
const AZURE_DEV: CostOption = { provider: 'azure', tier: 'developer', model: MINI };
const TOGETHER: CostOption = {
  provider: 'together',
  model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
  paramsB: 8,
};
const A100: CostOption = { provider: 'gpu', gpu: 'A100-80GB', method: 'lora', modelParamsB: 8 };

/** The real OpenAI and Azure adapters: neither calls its API to list the models it tunes. */
function hosted(): Providers {
  return createProviders({
    openai: { apiKey: 'sk-test' },
    azure: { endpoint: 'https://acme.openai.azure.com', apiKey: 'azure-key' },
  }).providers;
}

/** A provider as the cost comparison reads it: its id, name, capabilities, hosts and models. */
function fake(over: Partial<Provider> & Pick<Provider, 'id'>, models: ModelInfo[] = []): Provider {
  return {
    label: over.id,
    capabilities: KNOWN_CAPABILITIES[over.id],
    models: async () => models,
    ...over,
  } as Provider;
}

const gpuHosts = (gpuType: string) =>
  fake({ id: 'gpu', label: 'Your GPU hosts', hosts: [{ name: 'box-1', gpuType, gpuCount: 1, maxJobs: 1 }] });

function compare(options: CostOption[], catalogue = CATALOGUE) {
  return compareCosts(
    { trainingTokens: 1e6, epochs: 2, monthlyInputTokens: 3e6, monthlyOutputTokens: 1e6, options },
    catalogue,
    NOW,
  );
}

describe('startableOptions(): what a configured provider here can train', () => {
  it('finds the hosted options on their providers, with the tier and model the form takes', async () => {
    const { estimates } = compare([OPENAI, AZURE_GLOBAL, AZURE_DEV, TOGETHER, A100]);
    const list = await startableOptions(estimates, hosted(), CATALOGUE);
    expect(list.map((s) => [s.label, s.provider, s.providerLabel])).toEqual([
      ['OpenAI gpt-4.1-mini', 'openai', 'OpenAI'],
      ['Azure gpt-4.1-mini (Global)', 'azure', 'Azure OpenAI'],
      ['Azure gpt-4.1-mini (Developer)', 'azure', 'Azure OpenAI'],
    ]);
    expect(await startPrefill(AZURE_GLOBAL, hosted(), CATALOGUE)).toEqual({
      provider: 'azure',
      request: { model: MINI, trainingType: 'globalstandard' },
    });
    expect(await startPrefill({ provider: 'openai', model: 'gpt-4.1-mini' }, hosted(), CATALOGUE)).toEqual({
      provider: 'openai',
      request: { model: MINI },
    });
  });

  it('leaves out a model the provider does not tune, and a tier it does not offer', async () => {
    const providers = hosted();
    expect(await startPrefill({ provider: 'openai', model: 'gpt-4.1-2025-04-14' }, {}, CATALOGUE)).toBeUndefined();
    const azure = providers.azure as Provider;
    const noTiers = fake({ id: 'azure', capabilities: { ...azure.capabilities, trainingTiers: ['standard'] } }, [
      { id: MINI, family: MINI, label: MINI, methods: ['supervised'] },
    ]);
    expect(await startPrefill(AZURE_GLOBAL, { azure: noTiers }, CATALOGUE)).toBeUndefined();
    const noModels = fake({ id: 'openai' });
    expect(await startPrefill(OPENAI, { openai: noModels }, CATALOGUE)).toBeUndefined();
    const failing = fake({ id: 'openai', models: () => Promise.reject(new Error('down')) });
    expect(await startPrefill(OPENAI, { openai: failing }, CATALOGUE)).toBeUndefined();
  });

  it('puts an own-GPU option on a host with that GPU type, or on a cluster that lists none', async () => {
    expect(await startPrefill(A100, { gpu: gpuHosts('A100-80GB') }, CATALOGUE)).toEqual({
      provider: 'gpu',
      request: { host: 'box-1' },
      loraMethod: 'lora',
    });
    const qlora: CostOption = { ...A100, method: 'qlora' };
    expect(await startPrefill(qlora, { gpu: gpuHosts('A100-80GB') }, CATALOGUE)).toMatchObject({ loraMethod: 'qlora' });
    expect(await startPrefill(A100, { gpu: gpuHosts('H100-80GB') }, CATALOGUE)).toBeUndefined();
    expect(await startPrefill(A100, { k8s: fake({ id: 'k8s', hosts: [] }) }, CATALOGUE)).toEqual({
      provider: 'k8s',
      request: {},
      loraMethod: 'lora',
    });
    const full: CostOption = { ...A100, method: 'full' };
    expect(await startPrefill(full, { gpu: gpuHosts('A100-80GB') }, CATALOGUE)).toBeUndefined();
  });

  it('offers Together’s full fine-tuning and DPO only where the provider and model do', async () => {
    const llama = { id: TOGETHER.model, family: 'llama', label: 'Llama', methods: ['supervised'] } as ModelInfo;
    const together = fake({ id: 'together' }, [llama]);
    const full: CostOption = { ...TOGETHER, tuning: 'full' } as CostOption;
    expect(await startPrefill(full, { together }, CATALOGUE)).toMatchObject({
      provider: 'together',
      request: { model: TOGETHER.model, hyperparameters: { tuning: 'full' } },
    });
    const dpo: CostOption = { ...TOGETHER, method: 'dpo' } as CostOption;
    expect(await startPrefill(dpo, { together }, CATALOGUE)).toBeUndefined();
  });
});

describe('cheapestToStart(): the option the button goes on', () => {
  it('is the cheapest over 12 months that can be started, skipping stand-in prices, unpriced serving and the Developer tier', async () => {
    const { estimates } = compare([TOGETHER, AZURE_DEV, AZURE_GLOBAL, A100, OPENAI]);
    const providers = { ...hosted(), together: fake({ id: 'together' }), gpu: gpuHosts('A100-80GB') };
    const startable = await startableOptions(estimates, providers, CATALOGUE);
    expect(startable.map((s) => s.label)).toContain('Azure gpt-4.1-mini (Developer)');
    const pick = cheapestToStart(estimates, startable);
    // Together ($0.96) and the Developer tier ($0.40) train for less, but neither is a priced year.
    expect(pick?.estimate.label).toBe('OpenAI gpt-4.1-mini');
    expect(pick?.estimate.twelveMonthsUsd).toBe(77.2); // $10 training + 12 × $5.60
  });

  it('takes Azure once its rate is a published one, over a cheaper GPU nobody here can start', async () => {
    const priced = applyPricesFile(
      CATALOGUE,
      JSON.stringify({
        azure: { models: { [MINI]: { training: { placeholder: [] } } }, hosting: { placeholder: [] } },
      }),
      'prices.json',
    );
    const { estimates } = compare([AZURE_GLOBAL, A100], priced);
    // A year on the A100 ($1,095 a month) is cheaper than Azure's $1,241 hosting, but only where it can be started.
    const withGpu = await startableOptions(estimates, { ...hosted(), gpu: gpuHosts('A100-80GB') }, priced);
    expect(cheapestToStart(estimates, withGpu)?.estimate.label).toBe('Own GPU: A100-80GB LoRA, 8B');
    const startable = await startableOptions(estimates, hosted(), priced);
    expect(cheapestToStart(estimates, startable)?.estimate.label).toBe('Azure gpt-4.1-mini (Global)');
    expect(cheapestToStart(estimates, [])).toBeUndefined();
    const onlyDev = compare([AZURE_DEV], priced).estimates;
    expect(cheapestToStart(onlyDev, await startableOptions(onlyDev, hosted(), priced))).toBeUndefined();
  });
});

describe('the button value', () => {
  it('round-trips the provider and the option, well under Slack’s 2,000 characters', () => {
    const value = encodeStartValue('azure', AZURE_GLOBAL);
    expect(value.length).toBeLessThan(200);
    expect(decodeStartValue(value)).toEqual({ provider: 'azure', option: AZURE_GLOBAL });
  });

  it.each([
    ['nothing', undefined],
    ['an empty string', ''],
    ['not JSON', 'openai|gpt-4.1-mini'],
    ['JSON that is not an object', '"openai"'],
    ['another version', JSON.stringify({ v: 2, provider: 'openai', option: 'openai|x' })],
    ['no provider', JSON.stringify({ v: 1, option: 'openai|x' })],
    ['an option that does not decode', JSON.stringify({ v: 1, provider: 'azure', option: 'azure|monthly|x' })],
    [
      'a value over 2,000 characters',
      JSON.stringify({ v: 1, provider: 'openai', option: `openai|${'x'.repeat(2000)}` }),
    ],
  ])('reads %s as no button at all', (_name, value) => {
    expect(decodeStartValue(value)).toBeUndefined();
  });
});
