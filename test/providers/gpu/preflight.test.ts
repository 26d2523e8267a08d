import { describe, expect, it } from 'vitest';
import type { GpuHost } from '../../../src/config/gpu.ts';
import { SshError } from '../../../src/providers/gpu/errors.ts';
import { onlyMemoryInTheWay, toPreflightReport } from '../../../src/providers/gpu/preflight.ts';
import { toProviderError } from '../../../src/providers/gpu/provider-errors.ts';

const host = { name: 'a100-1', gpuType: 'A100-80GB', python: 'python3' } as GpuHost;
const result = (stdout: string, code = 0, stderr = '') => ({
  code,
  stdout,
  stderr,
  stdoutTruncated: false,
  stderrTruncated: false,
});
const check = {
  type: 'check',
  ok: false,
  gpu: { available: true, devices: [{ name: 'NVIDIA A100 80GB', memory_bytes: 85e9, free_bytes: 80e9 }] },
  disk: {
    checks: [
      { free_bytes: 400e9, needed_bytes: 20e9 },
      { free_bytes: 100e9, needed_bytes: 2e9 },
    ],
  },
  packages: { torch: { required: '>=2.3', version: '2.5.1', ok: true }, bitsandbytes: { version: null, ok: false } },
  model: { source: 'hub', parameters: 3.2e9 },
  problems: [{ reason: 'bad_data', message: 'The dataset … does not exist on the host.', hint: 'Upload it.' }],
};

describe('the pre-flight report', () => {
  it('maps the check’s JSON; the data check waits for the upload', () => {
    const noisy = `some library said hello\n${JSON.stringify(check)}\n`;
    expect(toPreflightReport(host, result(noisy, 1), { dataUploaded: false })).toEqual({
      ok: true,
      host: 'a100-1',
      gpuType: 'A100-80GB',
      gpuName: 'NVIDIA A100 80GB',
      gpuMemoryBytes: 85e9,
      freeGpuMemoryBytes: 80e9,
      freeDiskBytes: 100e9,
      neededDiskBytes: 22e9,
      packages: [
        { name: 'torch', version: '2.5.1', ok: true },
        { name: 'bitsandbytes', version: null, ok: false },
      ],
      modelParameters: 3.2e9,
      problems: [],
    });
    const uploaded = toPreflightReport(host, result(JSON.stringify(check), 1), { dataUploaded: true });
    expect(uploaded.ok).toBe(false);
    expect(uploaded.problems).toEqual([{ reason: 'bad_data', message: expect.any(String), hint: 'Upload it.' }]);
  });

  it('a host without the Python, or a check that said nothing, is a problem in words', () => {
    const none = toPreflightReport(host, result('', 127, 'sh: 1: python3: not found'), { dataUploaded: false });
    expect(none).toMatchObject({
      ok: false,
      problems: [{ reason: 'missing_package', message: expect.stringContaining('python3') }],
    });
    const odd = toPreflightReport(host, result('', null as unknown as number, ''), { dataUploaded: false });
    expect(odd.problems[0]?.reason).toBe('unknown');
  });

  it('knows when only free GPU memory is in the way', () => {
    const memory = { ok: false, host: 'x', problems: [{ reason: 'cuda_oom', message: 'm' }] };
    expect(onlyMemoryInTheWay(memory)).toBe(true);
    expect(
      onlyMemoryInTheWay({ ...memory, problems: [...memory.problems, { reason: 'disk_full', message: 'd' }] }),
    ).toBe(false);
  });
});

describe('SSH failures in the contract’s kinds', () => {
  const ssh = (kind: ConstructorParameters<typeof SshError>[0], extra = {}) =>
    toProviderError(new SshError(kind, 'a100-1', `GPU host "a100-1" ${kind}.`, { hint: 'do this', ...extra }));
  it('keeps words and hints; says what a person can retry', () => {
    expect(ssh('unreachable')).toMatchObject({ kind: 'unavailable', retryable: true, hint: 'do this' });
    expect(ssh('disconnected')).toMatchObject({ kind: 'network', retryable: true });
    expect(ssh('auth')).toMatchObject({ kind: 'auth', retryable: false });
    expect(ssh('not_found')).toMatchObject({ kind: 'not_found' });
    expect(ssh('unsupported')).toMatchObject({ kind: 'invalid_request' });
    const mismatch = ssh('host_key_mismatch', { expected: 'SHA256:pinned', seen: 'SHA256:seen' });
    expect(mismatch).toMatchObject({ kind: 'permission', retryable: false });
    expect(mismatch.message).toContain('SHA256:pinned');
    expect(mismatch.message).toContain('SHA256:seen');
  });
});
