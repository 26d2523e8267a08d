import { type K8sConfig, resolveK8s } from '../../../src/config/gpu-k8s.ts';
import { CATALOGUE } from '../../../src/cost/catalogue.ts';
import { createKubernetesProvider, type KubernetesProviderOptions } from '../../../src/providers/kubernetes/index.ts';
import type { JobSpec, TrainingFile } from '../../../src/providers/types.ts';
import type { FakeK8s } from '../../support/fake-k8s.ts';

/** The cluster's configuration as the bot reads it from the environment, pointed at the fake. */
export function clusterConfig(fake: FakeK8s, env: Record<string, string> = {}): K8sConfig {
  const resolved = resolveK8s({
    GPU_K8S_NAMESPACE: fake.namespace,
    KUBECONFIG: env.KUBECONFIG ?? fake.kubeconfig(),
    GPU_K8S_IMAGE: 'ghcr.io/acme/ftbot-trainer:1.0',
    GPU_K8S_GPU_TYPE: 'A100-80GB',
    GPU_K8S_NODE_SELECTOR: 'pool=gpu',
    GPU_K8S_TOLERATIONS: 'nvidia.com/gpu=present:NoSchedule',
    ...env,
  });
  if (!resolved.config) throw new Error(resolved.problems.map((p) => `${p.variable} ${p.message}`).join('\n'));
  return resolved.config;
}

export function provider(fake: FakeK8s, o: Partial<KubernetesProviderOptions> = {}, env: Record<string, string> = {}) {
  return createKubernetesProvider({
    config: clusterConfig(fake, env),
    catalogue: CATALOGUE,
    requestTimeoutMs: 5_000,
    ...o,
  });
}

export function trainingFile(text: string | Buffer, name = 'ft-abc234-train.jsonl'): TrainingFile & { reads: number } {
  const data = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const file = {
    name,
    bytes: data.length,
    reads: 0,
    async *open() {
      // In pieces, as a download arrives; `reads` counts how far it got.
      for (let at = 0; at < data.length; at += 64 * 1024) {
        file.reads += 1;
        yield data.subarray(at, at + 64 * 1024);
      }
    },
  };
  return file;
}

export const EXAMPLES = `${Array.from({ length: 50 }, (_, i) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: `Question ${i}?` },
      { role: 'assistant', content: `Answer ${i}.` },
    ],
  }),
).join('\n')}\n`;

export function jobSpec(id: string, over: Partial<JobSpec> = {}): JobSpec {
  return {
    id,
    model: 'meta-llama/Llama-3.2-1B-Instruct',
    method: 'supervised',
    trainingFileId: `k8s:ml:${id}`,
    hyperparameters: { nEpochs: 'auto', batchSize: 'auto', learningRateMultiplier: 'auto' },
    channelId: 'C0JOBS',
    requestedBy: 'U0ALICE',
    lora: {
      method: 'lora',
      r: 16,
      alpha: 32,
      dropout: 0.05,
      targetModules: 'all-linear',
      epochs: 2,
      learningRate: 2e-4,
      batchSize: 4,
      gradientAccumulation: 4,
      maxLength: 2048,
      packing: false,
    },
    ...over,
  };
}

/** One trainer event as events.py writes it (the fields the bot reads; the rest is ignored). */
export function event(seq: number, type: string, fields: Record<string, unknown> = {}, at = new Date()) {
  return { type, seq, time: at.toISOString(), ...fields };
}

export function startedEvents(totalSteps: number, at = new Date()) {
  return [
    event(1, 'preparing', { phase: 'checking', message: 'Checking the spec, the data and the host.' }, at),
    event(2, 'preparing', { phase: 'tokenizing', message: 'Tokenizing.' }, at),
    event(
      3,
      'started',
      {
        total_steps: totalSteps,
        examples: 50,
        train_tokens: 4000,
        base_model: 'meta-llama/Llama-3.2-1B-Instruct',
        gpu_name: 'NVIDIA A100-SXM4-80GB',
        gpu_count: 1,
      },
      at,
    ),
  ];
}

export function stepEvent(seq: number, step: number, total: number, loss: number, at = new Date()) {
  return event(
    seq,
    'step',
    { step, total_steps: total, loss, tokens_per_second: 2100, tokens_seen: step * 400, gpu_memory_bytes: 9e9 },
    at,
  );
}
