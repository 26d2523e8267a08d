import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { isStatus, KubeError, toKubeError } from './errors.ts';

/**
 * The few calls the provider makes, in one namespace, through @kubernetes/client-node's typed
 * clients (auth, TLS and proxies are the kubeconfig's, as kubectl has them). Each call has a time
 * limit: the client's fetch would otherwise wait minutes for an API server that accepted the
 * connection and went quiet, and the monitor's round with it. Failures come out as KubeError.
 */

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

export interface LogOptions {
  limitBytes?: number;
  tailLines?: number;
}

export const CONTAINER = 'trainer';

export class KubeApi {
  readonly namespace: string;
  readonly server: string;
  readonly #batch: BatchV1Api;
  readonly #core: CoreV1Api;
  readonly #timeoutMs: number;

  constructor(kc: KubeConfig, namespace: string, timeoutMs = 30_000) {
    this.namespace = namespace;
    this.server = kc.getCurrentCluster()?.server ?? 'the cluster';
    this.#batch = kc.makeApiClient(BatchV1Api);
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#timeoutMs = timeoutMs;
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KubeError(
              'timeout',
              `The Kubernetes API server (${this.server}) did not answer ${what} within ${this.#timeoutMs / 1000} s.`,
            ),
          ),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), limit]);
    } catch (error) {
      throw toKubeError(error, what, this.server);
    } finally {
      clearTimeout(timer);
    }
  }

  createSecret(body: V1Secret): Promise<V1Secret> {
    return this.#call('creating a Secret', () =>
      this.#core.createNamespacedSecret({ namespace: this.namespace, body }),
    );
  }

  readSecret(name: string): Promise<V1Secret> {
    return this.#call('reading a Secret', () => this.#core.readNamespacedSecret({ name, namespace: this.namespace }));
  }

  replaceSecret(name: string, body: V1Secret): Promise<V1Secret> {
    return this.#call('replacing a Secret', () =>
      this.#core.replaceNamespacedSecret({ name, namespace: this.namespace, body }),
    );
  }

  /** A JSON Patch (RFC 6902): the client's default patch type, so no header needs changing. */
  patchSecret(name: string, ops: JsonPatchOp[]): Promise<V1Secret> {
    return this.#call('patching a Secret', () =>
      this.#core.patchNamespacedSecret({ name, namespace: this.namespace, body: ops }),
    );
  }

  /** True when it was there to delete. */
  async deleteSecret(name: string): Promise<boolean> {
    try {
      await this.#call('deleting a Secret', () =>
        this.#core.deleteNamespacedSecret({ name, namespace: this.namespace }),
      );
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  createJob(body: V1Job): Promise<V1Job> {
    return this.#call('creating a Job', () => this.#batch.createNamespacedJob({ namespace: this.namespace, body }));
  }

  /** The Job, or undefined when there is none by that name. */
  async readJob(name: string): Promise<V1Job | undefined> {
    try {
      return await this.#call('reading a Job', () =>
        this.#batch.readNamespacedJob({ name, namespace: this.namespace }),
      );
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async listJobs(labelSelector: string, limit?: number): Promise<V1Job[]> {
    const list = await this.#call('listing Jobs', () =>
      this.#batch.listNamespacedJob({ namespace: this.namespace, labelSelector, ...(limit ? { limit } : {}) }),
    );
    return list.items;
  }

  /** True when it was there to delete. Foreground: the Job goes once its pod has (and the Secret it owns). */
  async deleteJob(name: string, propagationPolicy: 'Foreground' | 'Background' = 'Foreground'): Promise<boolean> {
    try {
      await this.#call('deleting a Job', () =>
        this.#batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy }),
      );
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  async listPods(labelSelector: string): Promise<V1Pod[]> {
    const list = await this.#call('listing pods', () =>
      this.#core.listNamespacedPod({ namespace: this.namespace, labelSelector }),
    );
    return list.items;
  }

  /**
   * The trainer container's log, or '' while there is none to read: the container has not started
   * (400, "waiting to start") or the pod is gone (404).
   */
  async podLog(name: string, options: LogOptions = {}): Promise<string> {
    try {
      return await this.#call('reading a pod log', () =>
        this.#core.readNamespacedPodLog({ name, namespace: this.namespace, container: CONTAINER, ...options }),
      );
    } catch (error) {
      if (isStatus(error, 400) || isStatus(error, 404)) return '';
      throw error;
    }
  }
}
