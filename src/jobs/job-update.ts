import type { EventPage, JobEvent, JobSnapshot } from '../providers/types.ts';
import { TERMINAL_STATES } from '../providers/types.ts';
import type { JobPatch, JobProgress, JobRecord, LossPoint } from '../store/types.ts';

/** What one poll of one job means for its record: pure, so the rules are tested without I/O. */
export interface JobUpdate {
  patch: JobPatch;
  lossPoints: LossPoint[];
  /** Warnings and errors from the provider, oldest first. */
  notable: JobEvent[];
  /** An event mentioned a checkpoint: worth listing them. */
  checkpointMentioned: boolean;
  /** Something the job message shows has changed. */
  visible: boolean;
}

const CHECKPOINT = /checkpoint/i;

export function jobUpdate(job: JobRecord, snapshot: JobSnapshot, page: EventPage | undefined, now: Date): JobUpdate {
  const progress: JobProgress = { ...job.progress };
  const lossPoints: LossPoint[] = [];
  const notable: JobEvent[] = [];
  let checkpointMentioned = false;
  let lastEventAt = job.lastEventAt;

  for (const event of page?.events ?? []) {
    const m = event.metrics;
    if (m) {
      lossPoints.push({
        step: m.step,
        ...(m.trainLoss !== undefined ? { trainLoss: m.trainLoss } : {}),
        ...(m.validLoss !== undefined ? { validLoss: m.validLoss } : {}),
      });
      if (progress.step === undefined || m.step >= progress.step) {
        progress.step = m.step;
        if (m.totalSteps !== undefined) progress.totalSteps = m.totalSteps;
        if (m.trainLoss !== undefined) progress.trainLoss = m.trainLoss;
        if (m.tokensPerSecond !== undefined) progress.tokensPerSecond = m.tokensPerSecond;
        if (m.gpuMemoryBytes !== undefined) progress.gpuMemoryBytes = m.gpuMemoryBytes;
      }
      // Validation loss comes now and then; the newest one stays shown until the next.
      if (m.validLoss !== undefined) progress.validLoss = m.validLoss;
    } else if (event.level !== 'info') {
      notable.push(event);
    }
    if (CHECKPOINT.test(event.message)) checkpointMentioned = true;
    if (lastEventAt === null || event.at > lastEventAt) lastEventAt = event.at;
  }
  if (snapshot.trainedTokens !== null) progress.trainedTokens = snapshot.trainedTokens;
  // Progress the provider reports on the job itself (Fireworks' percent, Together's steps) fills
  // in what no metric event said; a step from the events is as new or newer.
  const reported = snapshot.progress;
  // Progress the provider reports on the job is news as much as an event: a Fireworks job moving
  // from 10% to 90% without a metrics line must not be called stalled.
  const moved =
    reported !== undefined &&
    ((reported.percent !== undefined && reported.percent !== job.progress.percent) ||
      (reported.step !== undefined && reported.step !== job.progress.step) ||
      (reported.epoch !== undefined && reported.epoch !== job.progress.epoch));
  if (moved && (lastEventAt === null || now.toISOString() > lastEventAt)) lastEventAt = now.toISOString();
  if (reported) {
    if (reported.percent !== undefined) progress.percent = reported.percent;
    if (reported.epoch !== undefined) progress.epoch = reported.epoch;
    if (reported.step !== undefined && (progress.step === undefined || reported.step > progress.step)) {
      progress.step = reported.step;
    }
    if (reported.totalSteps !== undefined) progress.totalSteps ??= reported.totalSteps;
  }
  progress.estimatedFinish = snapshot.estimatedFinish;
  // GPU hosts: where it runs and the GPU time so far, which the cost is computed from.
  if (snapshot.gpu) {
    progress.host = snapshot.gpu.host;
    progress.gpuType = snapshot.gpu.gpuType;
    progress.gpuCount = snapshot.gpu.gpuCount;
    if (snapshot.gpu.gpuSeconds !== null) progress.gpuSeconds = snapshot.gpu.gpuSeconds;
  }
  if (snapshot.adapter) progress.adapter = snapshot.adapter;

  const patch: JobPatch = {
    providerStatus: snapshot.providerStatus,
    fineTunedModel: snapshot.fineTunedModel,
    error: snapshot.error,
    progress,
  };
  if (page) patch.eventCursor = page.cursor;
  if (lastEventAt !== job.lastEventAt) patch.lastEventAt = lastEventAt;
  if (snapshot.state === 'running' && job.startedAt === null) patch.startedAt = now.toISOString();
  if (snapshot.state !== job.phase && !TERMINAL_STATES.has(snapshot.state)) patch.phase = snapshot.state;

  const visible =
    snapshot.state !== job.phase ||
    snapshot.providerStatus !== job.providerStatus ||
    JSON.stringify(progress) !== JSON.stringify(job.progress);
  return { patch, lossPoints, notable, checkpointMentioned, visible };
}
