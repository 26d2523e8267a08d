import { describe, expect, it } from 'vitest';
import { metricEvents, parseCursor, parseMetricLine } from '../../../src/providers/fireworks/events.ts';
import { jobState } from '../../../src/providers/fireworks/map-job.ts';

describe('the metrics file', () => {
  it('reads flat and nested lines under the names trainers write, and skips what is not metrics', () => {
    expect(parseMetricLine('{"step": 4, "loss": 0.9, "total_steps": 20}')).toEqual({
      m: { step: 4, totalSteps: 20, trainLoss: 0.9 },
    });
    expect(
      parseMetricLine('{"step": 5, "timestamp": 1767225600, "data": {"train/loss": "0.8", "eval/loss": 1}}'),
    ).toEqual({ m: { step: 5, trainLoss: 0.8, validLoss: 1 }, at: '2026-01-01T00:00:00.000Z' });
    expect(parseMetricLine('{"step": 6, "learning_rate": 0.0001}')).toBeUndefined();
    expect(parseMetricLine('{"epoch": 1}')).toBeUndefined();
    expect(parseMetricLine('not json')).toBeUndefined();
  });

  it('leaves a last line without its newline for later, unless the job has ended', () => {
    const text = '{"step":1,"loss":2}\n{"step":2,"loss":1.5}\n{"step":3,"lo';
    const running = metricEvents(text, 0, false, '2026-01-01T00:00:00.000Z');
    expect(running.events.map((e) => e.metrics?.step)).toEqual([1, 2]);
    expect(running.lines).toBe(2);
    const later = metricEvents(`${text}ss":1.2}`, running.lines, true, '2026-01-01T00:00:00.000Z');
    expect(later.events.map((e) => e.metrics?.step)).toEqual([3]);
    expect(later.lines).toBe(3);
  });
});

describe('the cursor', () => {
  it('reads its own format, and takes anything else for none', () => {
    expect(parseCursor('fw1|JOB_STATE_RUNNING|2|14')).toEqual({ state: 'JOB_STATE_RUNNING', changes: 2, lines: 14 });
    expect(parseCursor('ftevent-123')).toEqual({ state: null, changes: 0, lines: 0 });
    expect(parseCursor(null)).toEqual({ state: null, changes: 0, lines: 0 });
  });
});

describe('states', () => {
  it('normalises Fireworks’ words, and keeps watching one it does not know', () => {
    expect(jobState('JOB_STATE_CREATING')).toBe('validating');
    expect(jobState('JOB_STATE_PENDING')).toBe('queued');
    expect(jobState('JOB_STATE_RUNNING')).toBe('running');
    expect(jobState('JOB_STATE_WRITING_RESULTS')).toBe('running');
    expect(jobState('JOB_STATE_EARLY_STOPPED')).toBe('succeeded');
    expect(jobState('JOB_STATE_EXPIRED')).toBe('failed');
    expect(jobState('JOB_STATE_CANCELLED')).toBe('cancelled');
    expect(jobState('JOB_STATE_SOMETHING_NEW')).toBe('queued');
    expect(jobState(undefined)).toBe('queued');
  });
});
