import { describe, expect, it } from 'vitest';
import { folderVerdict, gpuSecondsOf, readEvents, toJobEvents } from '../../../src/providers/gpu/trainer-events.ts';

const line = (e: Record<string, unknown>) => `${JSON.stringify(e)}\n`;
const at = (seq: number) => `2026-11-02T10:15:0${seq}.000Z`;
const started = line({ type: 'started', seq: 1, time: at(1), total_steps: 200, examples: 60, gpu_name: 'NVIDIA H200' });
const step = (seq: number, n: number, loss: number | null) =>
  line({ type: 'step', seq, time: at(seq), step: n, total_steps: 200, loss, learning_rate: 2e-4 });

describe('reading events.jsonl from an offset', () => {
  it('takes complete lines only, and reads a line still being written next time, whole', () => {
    const text = started + step(2, 1, 2.5) + step(3, 2, 2.1).slice(0, 20);
    const first = readEvents(Buffer.from(text), 0);
    expect(first.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.offset).toBe(Buffer.byteLength(started + step(2, 1, 2.5)));
    const rest = Buffer.from(step(3, 2, 2.1) + step(4, 3, 1.9));
    const second = readEvents(rest, first.offset);
    expect(second.events.map((e) => e.seq)).toEqual([3, 4]);
    expect(second.offset).toBe(first.offset + rest.length);
  });

  it('counts bytes, not characters, so a multi-byte message does not shift the offset', () => {
    const text = line({ type: 'preparing', seq: 1, time: at(1), phase: 'tokenizing', message: 'Tokenizing — ça va' });
    expect(readEvents(Buffer.from(text), 10).offset).toBe(10 + Buffer.byteLength(text));
  });

  it('skips a torn line from a hard kill and event types it does not know', () => {
    const text = `{"type":"step","seq":2,"ti\n${line({ type: 'telemetry', seq: 3, time: at(3) })}${step(4, 3, 1.9)}`;
    expect(readEvents(Buffer.from(text), 0).events.map((e) => e.seq)).toEqual([4]);
  });

  it('reads nothing from a chunk without a newline', () => {
    expect(readEvents(Buffer.from('{"type":'), 42)).toEqual({ events: [], offset: 42 });
  });
});

describe('events in the contract’s words', () => {
  it('gives step and eval events their metrics; a non-finite loss (null) stays out of the curve', () => {
    const { events } = readEvents(
      Buffer.from(
        started +
          step(2, 1, 2.5) +
          step(3, 2, null) +
          line({ type: 'eval', seq: 4, time: at(4), step: 2, eval_loss: 2.2 }),
      ),
      0,
    );
    const out = toJobEvents(events);
    expect(out.map((e) => e.id)).toEqual(['seq-1', 'seq-2', 'seq-3', 'seq-4']);
    expect(out[0]).toMatchObject({
      level: 'info',
      message: 'Training started: 200 steps over 60 examples on NVIDIA H200',
    });
    expect(out[1]?.metrics).toEqual({ step: 1, totalSteps: 200, trainLoss: 2.5 });
    expect(out[2]?.metrics).toEqual({ step: 2, totalSteps: 200 });
    expect(out[3]?.metrics).toEqual({ step: 2, validLoss: 2.2 });
  });

  it('makes an error an error, but a cancel only news', () => {
    const { events } = readEvents(
      Buffer.from(
        line({
          type: 'error',
          seq: 5,
          time: at(5),
          reason: 'cuda_oom',
          message: 'Out of GPU memory.',
          hint: 'Lower batch_size.',
        }) + line({ type: 'error', seq: 6, time: at(6), reason: 'cancelled', message: 'Cancelled.' }),
      ),
      0,
    );
    expect(toJobEvents(events).map((e) => e.level)).toEqual(['error', 'info']);
  });
});

describe('what a job folder says', () => {
  const events = (text: string) => readEvents(Buffer.from(text), 0).events;

  it('is validating while preparing, running once started, succeeded on exit 0', () => {
    const preparing = events(line({ type: 'preparing', seq: 1, time: at(1), phase: 'loading_model' }));
    expect(folderVerdict({ recent: [], exitCode: null, alive: true }).state).toBe('validating');
    expect(folderVerdict({ recent: preparing, exitCode: null, alive: true }).state).toBe('validating');
    expect(folderVerdict({ recent: events(started + step(2, 1, 2)), exitCode: null, alive: true }).state).toBe(
      'running',
    );
    expect(folderVerdict({ recent: events(started), exitCode: 0, alive: false })).toEqual({
      state: 'succeeded',
      error: null,
    });
  });

  it('fails with the trainer’s reason and hint, or as killed when it died without a word', () => {
    const oom = events(
      line({
        type: 'error',
        seq: 3,
        time: at(3),
        reason: 'cuda_oom',
        message: 'Out of GPU memory.',
        hint: 'Lower batch_size.',
      }),
    );
    expect(folderVerdict({ recent: oom, exitCode: 1, alive: false })).toEqual({
      state: 'failed',
      error: { code: 'cuda_oom', message: 'Out of GPU memory.', hint: 'Lower batch_size.' },
    });
    expect(folderVerdict({ recent: events(started), exitCode: null, alive: false }).error?.code).toBe('killed');
    expect(folderVerdict({ recent: events(started), exitCode: 1, alive: false }).error?.code).toBe('unknown');
  });

  it('says cancelled for exit 3 or a cancelled error', () => {
    expect(folderVerdict({ recent: [], exitCode: 3, alive: false }).state).toBe('cancelled');
  });

  it('takes the GPU-seconds from the trainer’s last word', () => {
    const done = events(
      started + line({ type: 'finished', seq: 9, time: at(9), adapter_path: 'output/adapter', gpu_seconds: 512.5 }),
    );
    expect(gpuSecondsOf(done)).toBe(512.5);
    expect(gpuSecondsOf(events(started))).toBeNull();
  });
});

describe('the end of a run', () => {
  it('stays running while the trainer saves the adapter', () => {
    const { events } = readEvents(
      Buffer.from(
        `${JSON.stringify({ type: 'step', seq: 1, time: '2026-11-02T10:15:01.000Z', step: 5, total_steps: 5, loss: 1 })}\n` +
          `${JSON.stringify({ type: 'preparing', seq: 2, time: '2026-11-02T10:15:02.000Z', phase: 'saving', message: 'Saving' })}\n`,
      ),
      0,
    );
    expect(folderVerdict({ recent: events, exitCode: null, alive: true }).state).toBe('running');
  });
});
