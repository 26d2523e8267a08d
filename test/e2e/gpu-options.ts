import type { StartOptions } from '../../src/main.ts';
import { FAST } from '../providers/gpu/helpers.ts';
import { STANDIN } from '../providers/gpu/provider-helpers.ts';

/** The GPU e2e tests' bot: the stand-in trainer on the host, short cancel graces, quick reconnects. */
export const GPU_START_OPTIONS: Omit<StartOptions, 'logger' | 'now'> = {
  gpu: { trainerScript: STANDIN, cancel: { graceMs: 2_000, killGraceMs: 1_000, pollMs: 100 }, pool: FAST },
};
