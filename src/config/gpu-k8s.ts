import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { inspect } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { z } from 'zod';
import { optionalText } from './fields.ts';
import { gpuTypesFor, HOST_NAME, value } from './gpu-host.ts';
import type { Env, Problem } from './gpu-types.ts';

/**
 * LoRA jobs on a Kubernetes cluster (README, "GPU clusters (Kubernetes)"): GPU_K8S_NAMESPACE turns
 * it on; the cluster is reached with KUBECONFIG's file(s), else the bot's service account when it
 * runs in the cluster, else ~/.kube/config. Part of the one schema in config/index.ts, as config/gpu.ts:
 * the variables are text fields there, `checkK8sFields` reports each mistake as one line naming its
 * variable, and `k8sConfig` builds the result. The kubeconfig is read at start, so a missing or
 * broken one stops the start instead of the first job.
 */

export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export const k8sFields = {
  GPU_K8S_NAMESPACE: optionalText,
  KUBECONFIG: optionalText,
  GPU_K8S_IMAGE: optionalText,
  GPU_K8S_GPU_RESOURCE: optionalText,
  GPU_K8S_GPU_TYPE: optionalText,
  GPU_K8S_NODE_SELECTOR: optionalText,
  GPU_K8S_TOLERATIONS: optionalText,
  GPU_K8S_OUTPUT_PVC: optionalText,
  GPU_K8S_ENV_SECRET: optionalText,
  GPU_K8S_NAME: optionalText,
};

export interface K8sToleration {
  key: string;
  operator: 'Equal' | 'Exists';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/**
 * The cluster's credentials. A kubeconfig holds tokens and client keys, so this prints as its server
 * and source only, however it is logged; the provider takes the KubeConfig itself with `kubeConfig()`.
 */
export class KubeAccess {
  readonly #kc: KubeConfig;
  readonly source: 'kubeconfig' | 'in-cluster';
  constructor(kc: KubeConfig, source: KubeAccess['source']) {
    this.#kc = kc;
    this.source = source;
  }
  kubeConfig(): KubeConfig {
    return this.#kc;
  }
  get server(): string {
    return this.#kc.getCurrentCluster()?.server ?? '';
  }
  toJSON() {
    return { source: this.source, server: this.server };
  }
  [inspect.custom]() {
    return `KubeAccess(${this.source}, ${this.server})`;
  }
}

export interface K8sConfig {
  namespace: string;
  /** How Slack names the cluster, as a host: GPU_K8S_NAME, else the namespace. */
  name: string;
  access: KubeAccess;
  image: string;
  gpuResource: string;
  /** A key of the price catalogue's gpus: what a GPU-second costs. */
  gpuType: string;
  nodeSelector: Record<string, string>;
  tolerations: K8sToleration[];
  /** A PersistentVolumeClaim mounted at /output: where adapters outlive their pods. */
  outputPvc?: string;
  /** A Secret whose keys become the trainer's environment (HF_TOKEN for gated models). */
  envSecret?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?=.{0,63}$)([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,511}$/;
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** A label key: an optional DNS subdomain prefix and `/`, then a name (what both selectors and resources use). */
function labelKey(key: string): boolean {
  const at = key.lastIndexOf('/');
  if (at < 0) return LABEL_NAME.test(key);
  return DNS_SUBDOMAIN.test(key.slice(0, at)) && LABEL_NAME.test(key.slice(at + 1));
}

function pairs(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseNodeSelector(text: string): Record<string, string> | { error: string } {
  const out: Record<string, string> = {};
  for (const pair of pairs(text)) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at).trim();
    const val = at < 0 ? undefined : pair.slice(at + 1).trim();
    if (val === undefined || !labelKey(key) || !LABEL_VALUE.test(val)) {
      return {
        error: `expects label=value pairs separated by commas, e.g. gpu=a100,pool=training; "${pair}" is not one`,
      };
    }
    out[key] = val;
  }
  return out;
}

/** `key=value:Effect`, `key:Effect` (any value), `key=value` or `key` (every effect), comma-separated. */
export function parseTolerations(text: string): K8sToleration[] | { error: string } {
  const out: K8sToleration[] = [];
  for (const item of pairs(text)) {
    const colon = item.lastIndexOf(':');
    const effect = colon < 0 ? undefined : item.slice(colon + 1).trim();
    const head = colon < 0 ? item : item.slice(0, colon).trim();
    const eq = head.indexOf('=');
    const key = eq < 0 ? head : head.slice(0, eq).trim();
    const val = eq < 0 ? undefined : head.slice(eq + 1).trim();
    const badEffect = effect !== undefined && !(EFFECTS as readonly string[]).includes(effect);
    if (!labelKey(key) || (val !== undefined && !LABEL_VALUE.test(val)) || badEffect) {
      return {
        error: `expects key=value:Effect items separated by commas (Effect: ${EFFECTS.join(', ')}), e.g. nvidia.com/gpu=present:NoSchedule; "${item}" is not one`,
      };
    }
    out.push({
      key,
      operator: val === undefined ? 'Exists' : 'Equal',
      ...(val !== undefined ? { value: val } : {}),
      ...(effect ? { effect: effect as K8sToleration['effect'] & string } : {}),
    });
  }
  return out;
}

/** KUBECONFIG's files, else the service account in the cluster, else ~/.kube/config. */
function loadAccess(env: Env, problems: Problem[]): KubeAccess | undefined {
  const files = value(env, 'KUBECONFIG')
    ?.split(delimiter)
    .filter((f) => f !== '');
  const inCluster = value(env, 'KUBERNETES_SERVICE_HOST') !== undefined && existsSync(SERVICE_ACCOUNT_TOKEN);
  const home = join(homedir(), '.kube', 'config');
  const kc = new KubeConfig();
  try {
    if (files && files.length > 0) {
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length > 0) {
        problems.push({ variable: 'KUBECONFIG', message: `names ${missing.join(', ')}, which does not exist` });
        return undefined;
      }
      kc.loadFromFile(files[0] as string);
      for (const file of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
    } else if (inCluster) {
      kc.loadFromCluster();
      return new KubeAccess(kc, 'in-cluster');
    } else if (existsSync(home)) {
      kc.loadFromFile(home);
    } else {
      problems.push({
        variable: 'GPU_K8S_NAMESPACE',
        message:
          'needs a way into the cluster: set KUBECONFIG to a kubeconfig file, or run the bot in the cluster with a service account',
      });
      return undefined;
    }
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    problems.push({ variable: 'KUBECONFIG', message: `could not be read as a kubeconfig: ${why?.slice(0, 200)}` });
    return undefined;
  }
  if (!kc.getCurrentCluster()) {
    problems.push({
      variable: 'KUBECONFIG',
      message: 'has no current context with a cluster: run kubectl config use-context NAME, or set current-context',
    });
    return undefined;
  }
  return new KubeAccess(kc, 'kubeconfig');
}

export function resolveK8s(env: Env): { config?: K8sConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const namespace = value(env, 'GPU_K8S_NAMESPACE');
  if (namespace === undefined) {
    // KUBECONFIG alone is kubectl's own variable: only the GPU_K8S_ ones need the namespace.
    for (const variable of Object.keys(k8sFields)) {
      if (variable.startsWith('GPU_K8S_') && value(env, variable) !== undefined) {
        problems.push({ variable, message: 'is set, but GPU_K8S_NAMESPACE is not: set it to train on the cluster' });
      }
    }
    return { problems };
  }
  if (!DNS_LABEL.test(namespace)) {
    problems.push({
      variable: 'GPU_K8S_NAMESPACE',
      message: 'expects a namespace name: lowercase letters, digits and -',
    });
  }
  const image = value(env, 'GPU_K8S_IMAGE');
  if (image === undefined) {
    problems.push({
      variable: 'GPU_K8S_IMAGE',
      message: 'is required with GPU_K8S_NAMESPACE: the trainer image (Python with trainer/requirements.txt)',
    });
  } else if (!IMAGE.test(image)) {
    problems.push({
      variable: 'GPU_K8S_IMAGE',
      message: 'expects an image reference such as ghcr.io/acme/ftbot-trainer:1.0',
    });
  }
  const gpuResource = value(env, 'GPU_K8S_GPU_RESOURCE') ?? DEFAULT_GPU_RESOURCE;
  if (!gpuResource.includes('/') || !labelKey(gpuResource)) {
    problems.push({
      variable: 'GPU_K8S_GPU_RESOURCE',
      message: 'expects an extended resource name such as nvidia.com/gpu',
    });
  }
  const gpuType = value(env, 'GPU_K8S_GPU_TYPE');
  const types = gpuTypesFor(env);
  if (gpuType === undefined || !types.includes(gpuType)) {
    const head = gpuType === undefined ? 'is required with GPU_K8S_NAMESPACE: the GPU a job gets, ' : '';
    problems.push({ variable: 'GPU_K8S_GPU_TYPE', message: `${head}expects one of ${types.join(', ')}` });
  }
  const selector = parseNodeSelector(value(env, 'GPU_K8S_NODE_SELECTOR') ?? '');
  if ('error' in selector) problems.push({ variable: 'GPU_K8S_NODE_SELECTOR', message: selector.error as string });
  const tolerations = parseTolerations(value(env, 'GPU_K8S_TOLERATIONS') ?? '');
  if ('error' in tolerations) problems.push({ variable: 'GPU_K8S_TOLERATIONS', message: tolerations.error });
  for (const variable of ['GPU_K8S_OUTPUT_PVC', 'GPU_K8S_ENV_SECRET'] as const) {
    const name = value(env, variable);
    if (name !== undefined && !DNS_SUBDOMAIN.test(name)) {
      problems.push({ variable, message: 'expects an object name: lowercase letters, digits, - and .' });
    }
  }
  const name = value(env, 'GPU_K8S_NAME') ?? namespace;
  if (!HOST_NAME.test(name)) {
    problems.push({
      variable: 'GPU_K8S_NAME',
      message: 'expects letters, digits, . _ and - (up to 63), e.g. gpu-cluster',
    });
  }
  const access = loadAccess(env, problems);
  if (problems.length > 0 || !access || image === undefined || gpuType === undefined) return { problems };
  const outputPvc = value(env, 'GPU_K8S_OUTPUT_PVC');
  const envSecret = value(env, 'GPU_K8S_ENV_SECRET');
  return {
    problems,
    config: {
      namespace,
      name,
      access,
      image,
      gpuResource,
      gpuType,
      nodeSelector: selector as Record<string, string>,
      tolerations: tolerations as K8sToleration[],
      ...(outputPvc ? { outputPvc } : {}),
      ...(envSecret ? { envSecret } : {}),
    },
  };
}

/** config/index.ts's cross-variable hook: one issue per variable. */
export function checkK8sFields(raw: Env, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const problem of resolveK8s(raw).problems) {
    if (seen.has(problem.variable)) continue;
    seen.add(problem.variable);
    ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
  }
}

/** `{ k8s }` when GPU_K8S_NAMESPACE is set (checkK8sFields has passed), `{}` when not. */
export function k8sConfig(env: Env): { k8s?: K8sConfig } {
  const resolved = resolveK8s(env);
  if (resolved.problems.length > 0) {
    throw new Error(resolved.problems.map((p) => `${p.variable} ${p.message}`).join('\n'));
  }
  return resolved.config ? { k8s: resolved.config } : {};
}
