import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/cost/catalogue.ts';
import { DEFAULT_DEADLINE_HOURS, jobDeadline } from '../../../src/providers/kubernetes/deadline.ts';
import { formatCursor, parseCursor } from '../../../src/providers/kubernetes/log-events.ts';
import { jobView, podView } from '../../../src/providers/kubernetes/pod-state.ts';
import { toSnapshot } from '../../../src/providers/kubernetes/snapshot.ts';
import { event, startedEvents } from './helpers.ts';

/** The verdicts only the cluster knows, from Job and pod objects as the API returns them. */

const now = new Date('2026-11-24T12:00:00.000Z');
const t = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();

function snapshot(job: object, pod: object | undefined, events: ReturnType<typeof event>[] = []) {
  return toSnapshot({
    ref: { provider: 'k8s', id: 'k8s:ml:ft-abc234' },
    cluster: { name: 'ml', outputPvc: 'out' },
    job: jobView(job as never),
    pod: podView(pod as never),
    events: events as never,
    gpuType: 'H100-80GB',
    gpuCount: 2,
    now,
  });
}

const terminatedPod = (exitCode: number, reason: string, startMin = 60, endMin = 30) => ({
  metadata: { name: 'ftbot-ft-abc234-x1y2z', creationTimestamp: t(61) },
  status: {
    phase: 'Failed',
    startTime: t(startMin),
    containerStatuses: [{ name: 'trainer', state: { terminated: { exitCode, reason, finishedAt: t(endMin) } } }],
  },
});
const failedJob = (reason: string, message = '') => ({
  metadata: { creationTimestamp: t(62) },
  spec: { activeDeadlineSeconds: 7200 },
  status: { conditions: [{ type: 'Failed', status: 'True', reason, message, lastTransitionTime: t(30) }] },
});

describe('a Kubernetes job’s snapshot', () => {
  it('fails a Job past its deadline, whatever the trainer said on SIGTERM', () => {
    const s = snapshot(
      failedJob('DeadlineExceeded', 'Job was active longer than specified deadline'),
      terminatedPod(3, 'Error'),
      [
        ...startedEvents(10),
        event(4, 'error', {
          reason: 'cancelled',
          message: 'Cancelled at step 3 (SIGTERM).',
          adapter_path: '/output/ft-abc234/adapter',
        }),
      ],
    );
    expect(s.state).toBe('failed');
    expect(s.error).toMatchObject({ code: 'deadline', message: expect.stringContaining('(2 h)') });
    // Two GPUs for 30 minutes; the adapter kept on the output claim.
    expect(s.gpu).toEqual({ host: 'ml', gpuType: 'H100-80GB', gpuCount: 2, gpuSeconds: 3600 });
    expect(s.adapter).toEqual({ path: 'pvc:out/ft-abc234/adapter', bytes: null });
  });

  it('takes the trainer’s word for its own failures and for a stop by hand', () => {
    const oom = snapshot(failedJob('BackoffLimitExceeded'), terminatedPod(1, 'Error'), [
      ...startedEvents(10),
      event(4, 'error', { reason: 'cuda_oom', message: 'CUDA ran out of memory.', hint: 'Use qlora.' }),
    ]);
    expect(oom).toMatchObject({
      state: 'failed',
      providerStatus: 'failed:cuda_oom',
      error: { code: 'cuda_oom', hint: 'Use qlora.' },
    });
    const stopped = snapshot(failedJob('BackoffLimitExceeded'), terminatedPod(3, 'Error'), [
      event(1, 'error', { reason: 'cancelled', message: 'Cancelled.' }),
    ]);
    expect(stopped.state).toBe('cancelled');
    const silent = snapshot(failedJob('BackoffLimitExceeded'), terminatedPod(139, 'Error'));
    expect(silent.error).toMatchObject({ code: 'unknown', message: 'The trainer exited with status 139.' });
  });

  it('fails a pod evicted before its container ran, and calls a Job being deleted cancelled', () => {
    const evicted = snapshot(failedJob('BackoffLimitExceeded'), {
      metadata: { name: 'p' },
      status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage.' },
    });
    expect(evicted.error).toMatchObject({
      code: 'pod_failed',
      message: expect.stringContaining('Evicted: The node was low'),
    });
    const deleting = snapshot(
      { metadata: { creationTimestamp: t(5), deletionTimestamp: t(0) }, status: { active: 1 } },
      {
        metadata: { name: 'p' },
        status: {
          phase: 'Running',
          startTime: t(4),
          containerStatuses: [{ name: 'trainer', state: { running: { startedAt: t(4) } } }],
        },
      },
    );
    expect(deleting).toMatchObject({ state: 'cancelled', providerStatus: 'deleting' });
  });

  it('validates until the scheduler has placed the pod and while the trainer prepares', () => {
    expect(snapshot({ metadata: { creationTimestamp: t(1) }, status: {} }, undefined)).toMatchObject({
      state: 'validating',
      providerStatus: 'pending',
      gpu: { gpuSeconds: 0 },
    });
    const running = {
      metadata: { name: 'p' },
      status: {
        phase: 'Running',
        startTime: t(2),
        containerStatuses: [{ name: 'trainer', state: { running: { startedAt: t(2) } } }],
      },
    };
    expect(snapshot({ status: { active: 1 } }, running, [event(1, 'preparing', { phase: 'checking' })])).toMatchObject({
      state: 'validating',
      providerStatus: 'preparing',
      gpu: { gpuSeconds: 240 },
    });
  });
});

describe('the deadline', () => {
  it('is the estimate × 3 plus an hour, at least two hours; a day without a basis', () => {
    const base = { gpuType: 'A100-80GB', catalogue: CATALOGUE };
    // 8B parameters, 400 MB of JSONL ≈ 100M tokens × 3 epochs: a long job.
    const big = jobDeadline({ ...base, model: 'meta-llama/Llama-3.1-8B-Instruct', trainingBytes: 4e8 });
    expect(big.basis).toBe('estimate');
    expect(big.seconds).toBeGreaterThan(10 * 3600);
    expect(jobDeadline({ ...base, model: 'Qwen/Qwen2.5-0.5B-Instruct', trainingBytes: 1e5 })).toEqual({
      seconds: 7200,
      basis: 'estimate',
    });
    expect(jobDeadline({ ...base, model: '/models/house-model', trainingBytes: 1e5 })).toEqual({
      seconds: DEFAULT_DEADLINE_HOURS * 3600,
      basis: 'default',
    });
  });
});

describe('the log cursor', () => {
  it('round-trips, and anything else reads from the start', () => {
    expect(parseCursor(formatCursor(42))).toBe(42);
    expect(parseCursor('12345')).toBeNull();
    expect(parseCursor(null)).toBeNull();
  });
});
