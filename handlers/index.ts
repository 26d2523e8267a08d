import type { App } from '@slack/bolt';
import type { Services } from '../src/services.ts';
import * as actions from './actions/index.ts';
import * as commands from './commands/index.ts';
import * as events from './events/index.ts';
import * as views from './views/index.ts';

export function registerHandlers(app: App, services: Services): void {
  commands.register(app, services);
  views.register(app, services);
  actions.register(app, services);
  events.register(app, services);
}
