import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeSelector, parseTolerations } from '../../../src/config/gpu-k8s.ts';
import { ConfigError, loadConfig } from '../../../src/config/index.ts';

const http = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 's3cret' };
const dir = mkdtempSync(join(tmpdir(), 'ftbot-k8s-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'eyJhbGciOi-very-secret-token';
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://k8s.example.com:6443
users:
- name: bot
  user:
    token: ${TOKEN}
contexts:
- name: prod
  context: { cluster: prod, user: bot }
current-context: prod
`,
);
const noContext = join(dir, 'no-context');
writeFileSync(noContext, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');

const base = {
  GPU_K8S_NAMESPACE: 'ml-training',
  KUBECONFIG: kubeconfig,
  GPU_K8S_IMAGE: 'ghcr.io/acme/ftbot-trainer:1.0',
  GPU_K8S_GPU_TYPE: 'A100-80GB',
};

function lines(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig({ ...http, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('the GPU cluster variables', () => {
  it('turn the cluster on with GPU_K8S_NAMESPACE, with defaults for the rest', () => {
    const { k8s } = loadConfig({ ...http, ...base });
    expect(k8s).toMatchObject({
      namespace: 'ml-training',
      name: 'ml-training',
      image: 'ghcr.io/acme/ftbot-trainer:1.0',
      gpuResource: 'nvidia.com/gpu',
      gpuType: 'A100-80GB',
      nodeSelector: {},
      tolerations: [],
    });
    expect(k8s?.access.server).toBe('https://k8s.example.com:6443');
    // The kubeconfig's token never shows, however the configuration is printed.
    expect(JSON.stringify(k8s)).not.toContain(TOKEN);
    expect(inspect(k8s, { depth: 10 })).not.toContain(TOKEN);
    expect(loadConfig(http).k8s).toBeUndefined();
  });

  it('reads every option', () => {
    const { k8s } = loadConfig({
      ...http,
      ...base,
      GPU_K8S_GPU_RESOURCE: 'amd.com/gpu',
      GPU_K8S_NODE_SELECTOR: 'pool=gpu, nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB',
      GPU_K8S_TOLERATIONS: 'nvidia.com/gpu=present:NoSchedule,dedicated:NoExecute',
      GPU_K8S_OUTPUT_PVC: 'finetune-output',
      GPU_K8S_ENV_SECRET: 'hf-token',
      GPU_K8S_NAME: 'gpu-cluster',
    });
    expect(k8s).toMatchObject({
      name: 'gpu-cluster',
      gpuResource: 'amd.com/gpu',
      nodeSelector: { pool: 'gpu', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
      tolerations: [
        { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
        { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' },
      ],
      outputPvc: 'finetune-output',
      envSecret: 'hf-token',
    });
  });

  it('names the variable in each mistake, one line each', () => {
    expect(lines({ GPU_K8S_NAMESPACE: 'ml-training', KUBECONFIG: kubeconfig })).toEqual([
      expect.stringMatching(/^GPU_K8S_IMAGE is required with GPU_K8S_NAMESPACE/),
      expect.stringMatching(/^GPU_K8S_GPU_TYPE is required with GPU_K8S_NAMESPACE: .*expects one of .*A100-80GB/),
    ]);
    expect(
      lines({
        ...base,
        GPU_K8S_NAMESPACE: 'ML_Training',
        GPU_K8S_IMAGE: 'has spaces:1',
        GPU_K8S_GPU_RESOURCE: 'gpu',
        GPU_K8S_GPU_TYPE: 'A100',
        GPU_K8S_NODE_SELECTOR: 'pool',
        GPU_K8S_TOLERATIONS: 'nvidia.com/gpu=present:Sometimes',
        GPU_K8S_OUTPUT_PVC: 'Not_A_Name',
        GPU_K8S_NAME: 'a/b',
      }),
    ).toEqual([
      'GPU_K8S_NAMESPACE expects a namespace name: lowercase letters, digits and -',
      'GPU_K8S_IMAGE expects an image reference such as ghcr.io/acme/ftbot-trainer:1.0',
      'GPU_K8S_GPU_RESOURCE expects an extended resource name such as nvidia.com/gpu',
      expect.stringMatching(/^GPU_K8S_GPU_TYPE expects one of /),
      expect.stringMatching(/^GPU_K8S_NODE_SELECTOR expects label=value pairs .*"pool" is not one/),
      expect.stringMatching(
        /^GPU_K8S_TOLERATIONS expects key=value:Effect items .*"nvidia.com\/gpu=present:Sometimes"/,
      ),
      'GPU_K8S_OUTPUT_PVC expects an object name: lowercase letters, digits, - and .',
      expect.stringMatching(/^GPU_K8S_NAME expects letters, digits/),
    ]);
  });

  it('says when the cluster cannot be reached from the configuration', () => {
    expect(lines({ ...base, KUBECONFIG: join(dir, 'missing') })).toEqual([
      `KUBECONFIG names ${join(dir, 'missing')}, which does not exist`,
    ]);
    expect(lines({ ...base, KUBECONFIG: noContext })).toEqual([
      expect.stringMatching(/^KUBECONFIG has no current context/),
    ]);
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'clusters: [unclosed');
    expect(lines({ ...base, KUBECONFIG: broken })).toEqual([
      expect.stringMatching(/^KUBECONFIG could not be read as a kubeconfig/),
    ]);
  });

  it('asks for the namespace when only the other GPU_K8S_ variables are set; KUBECONFIG alone is kubectl’s', () => {
    expect(lines({ GPU_K8S_IMAGE: 'img:1' })).toEqual([
      'GPU_K8S_IMAGE is set, but GPU_K8S_NAMESPACE is not: set it to train on the cluster',
    ]);
    expect(lines({ KUBECONFIG: kubeconfig })).toEqual([]);
  });
});

describe('the selector and toleration lists', () => {
  it('take the usual forms', () => {
    expect(parseNodeSelector('')).toEqual({});
    expect(parseNodeSelector('a=b,c=')).toEqual({ a: 'b', c: '' });
    expect(parseTolerations('gpu')).toEqual([{ key: 'gpu', operator: 'Exists' }]);
    expect(parseTolerations('gpu=yes')).toEqual([{ key: 'gpu', operator: 'Equal', value: 'yes' }]);
    expect(parseTolerations('k=v:PreferNoSchedule')).toEqual([
      { key: 'k', operator: 'Equal', value: 'v', effect: 'PreferNoSchedule' },
    ]);
    expect(parseTolerations('=v:NoSchedule')).toMatchObject({ error: expect.any(String) });
  });
});
