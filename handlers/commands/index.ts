import type { App } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { finetuneCommand } from './finetune.ts';

export function register(app: App, services: Services): void {
  // Matched by pattern so a renamed command in the manifest (e.g. /finetune-dev) still routes here.
  app.command(/^\/finetune/, finetuneCommand(services));
}
