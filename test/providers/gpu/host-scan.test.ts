import { describe, expect, it } from 'vitest';
import { parseScan } from '../../../src/providers/gpu/host-scan.ts';

const B = '@@ftbot-0123456789abcdef';
const line = (e: Record<string, unknown>) => `${JSON.stringify(e)}\n`;
const ev = (seq: number, type = 'step', extra: Record<string, unknown> = {}) =>
  line({ type, seq, time: `2026-11-02T10:00:${String(seq).padStart(2, '0')}.000Z`, step: seq, ...extra });

describe('parseScan(): the host listing as data', () => {
  it('reads folder rows, first events and the tail, framed by the boundary', () => {
    const tail = ev(3) + ev(4);
    const out = [
      `${B} W ok`,
      `${B} F ft-abc234 1 - 4242 1 2026-11-02T10:00:00.000Z 0`,
      `${B} F ft-abc235 0 - - - 2026-11-02T10:00:01.000Z 0`,
      `${B} F ft-abc236 1 3 4243 - - 0`,
      `${B} H ft-abc234`,
      `${ev(1, 'preparing', { phase: 'tokenizing' })}${ev(2, 'started', { total_steps: 9 })}`,
      `${B} T ft-abc234 ${Buffer.byteLength(tail)}`,
      `${tail}`,
      `${B} E`,
      '',
    ].join('\n');
    const scan = parseScan(out, B, 65536);
    expect(scan?.workDir).toBe(true);
    expect(scan?.folders.get('ft-abc234')).toEqual({
      id: 'ft-abc234',
      launched: true,
      exitCode: null,
      pgid: 4242,
      alive: true,
      queuedAt: '2026-11-02T10:00:00.000Z',
      cancelled: false,
      gpu: null,
    });
    expect(scan?.folders.get('ft-abc235')).toMatchObject({
      launched: false,
      alive: null,
      queuedAt: expect.any(String),
    });
    expect(scan?.folders.get('ft-abc236')).toMatchObject({ exitCode: 3, alive: null });
    const events = scan?.events.get('ft-abc234');
    expect(events?.head.map((e) => e.type)).toEqual(['preparing', 'started']);
    expect(events?.tail.map((e) => e.seq)).toEqual([3, 4]);
  });

  it('drops the piece of a line a tail window starts in, and a line still being written', () => {
    const whole = ev(7) + ev(8);
    const cut = `type":"step","seq":6}\n${whole}{"type":"step","se`;
    const out = `${B} W ok\n${B} F ft-abc234 1 - 99 1 - 0\n${B} H ft-abc234\n\n${B} T ft-abc234 900000\n${cut}\n${B} E\n`;
    expect(
      parseScan(out, B, cut.length)
        ?.events.get('ft-abc234')
        ?.tail.map((e) => e.seq),
    ).toEqual([7, 8]);
  });

  it('says nothing when the listing was cut short, and skips rows that are not ours', () => {
    expect(parseScan(`${B} W ok\n${B} F ft-abc234 1 - 99 1 - 0\n`, B, 100)).toBeUndefined();
    const out = [
      `${B} W ok`,
      `${B} F ft-ABC234 1 - 99 1 - 0`,
      `${B} F ft-abc234 1 - 99 1 two words 0`,
      `${B} F ft-abc235 1 - 1 1 - 0`,
      `${B} E`,
    ].join('\n');
    const scan = parseScan(out, B, 100);
    expect([...(scan?.folders.keys() ?? [])]).toEqual(['ft-abc235']);
    // A process group of 1 (or 0) is never one of ours to signal.
    expect(scan?.folders.get('ft-abc235')?.pgid).toBeNull();
    expect(parseScan(`${B} W missing\n${B} E\n`, B, 100)?.workDir).toBe(false);
  });

  it('cannot be fooled by file contents that look like a section, without the boundary', () => {
    const tail = `${ev(1)}@@ftbot-0000000000000000 E\n${ev(2)}`;
    const out = `${B} W ok\n${B} F ft-abc234 1 - 99 1 - 0\n${B} H ft-abc234\n\n${B} T ft-abc234 ${tail.length}\n${tail}\n${B} E\n`;
    expect(
      parseScan(out, B, 65536)
        ?.events.get('ft-abc234')
        ?.tail.map((e) => e.seq),
    ).toEqual([1, 2]);
  });
});
