import type { HostedConfig } from '../config/hosted.ts';
import type { ProvidersConfig } from '../config/jobs.ts';
import { azureTokenProviders } from './azure/credential.ts';
import { createAzureOpenAIProvider } from './azure/data-plane.ts';
import { type AzureDeployer, createAzureDeployer } from './azure/deploy.ts';
import { createFireworksProvider, type FireworksProviderOptions } from './fireworks/index.ts';
import { createGpuProvider, type GpuProviderOptions } from './gpu/index.ts';
import { createKubernetesProvider, type KubernetesProviderOptions } from './kubernetes/index.ts';
import { createOpenAIProvider } from './openai/index.ts';
import { createTogetherProvider, type TogetherProviderOptions } from './together/index.ts';
import type { Provider, ProviderId } from './types.ts';

export type Providers = Partial<Record<ProviderId, Provider>>;
export type { AzureDeployer };

/** Knobs of the hosted adapters beyond their configuration: tests shrink the retry waits. */
export interface HostedTuning {
  together?: Partial<Omit<TogetherProviderOptions, 'apiKey' | 'baseURL'>>;
  fireworks?: Partial<Omit<FireworksProviderOptions, 'apiKey' | 'accountId' | 'baseURL'>>;
}

/**
 * The providers the configuration names, and the Azure deployer when deployment is configured.
 * `gpu`: the GPU hosts (config.gpu) with their SSH pool, which the caller owns and closes; `k8s`:
 * the Kubernetes cluster (config.k8s).
 */
export function createProviders(
  config: ProvidersConfig,
  extra: {
    gpu?: GpuProviderOptions;
    k8s?: KubernetesProviderOptions;
    hosted?: Pick<HostedConfig, 'together' | 'fireworks'>;
    tuning?: HostedTuning;
  } = {},
): { providers: Providers; azureDeployer?: AzureDeployer } {
  const providers: Providers = {};
  let azureDeployer: AzureDeployer | undefined;
  if (config.openai) providers.openai = createOpenAIProvider(config.openai);
  const { together, fireworks } = extra.hosted ?? {};
  if (together) providers.together = createTogetherProvider({ ...extra.tuning?.together, ...together });
  if (fireworks) providers.fireworks = createFireworksProvider({ ...extra.tuning?.fireworks, ...fireworks });
  if (extra.gpu && extra.gpu.hosts.length > 0) providers.gpu = createGpuProvider(extra.gpu);
  if (extra.k8s) providers.k8s = createKubernetesProvider(extra.k8s);
  if (config.azure) {
    const { endpoint, apiKey, deploy } = config.azure;
    const tokens =
      apiKey === undefined || deploy
        ? azureTokenProviders({ ...(deploy ? { armEndpoint: deploy.armEndpoint } : {}) })
        : undefined;
    providers.azure = createAzureOpenAIProvider({
      endpoint,
      auth: apiKey !== undefined ? { apiKey } : { tokenProvider: (tokens as NonNullable<typeof tokens>).dataPlane },
    });
    if (deploy && tokens) azureDeployer = createAzureDeployer({ ...deploy, token: tokens.management });
  }
  return { providers, ...(azureDeployer ? { azureDeployer } : {}) };
}
