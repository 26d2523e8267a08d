import type { App } from '@slack/bolt';
import type { Services } from '../src/services.ts';
import * as actions from './actions/index.ts';
import * as commands from './commands/index.ts';
import * as events from './events/index.ts';
import { ackUnhandled, envelopeGuard } from './guard.ts';
import * as views from './views/index.ts';

export { guardHttpReceiver } from './guard.ts';

export function registerHandlers(app: App, services: Services): void {
  // First: no listener sees a body that is not shaped like what Slack sends.
  app.use(envelopeGuard(services.logger));
  commands.register(app, services);
  // The command listener matches /^\/finetune/ (commands/index.ts); any other command is acked here.
  app.command(/^(?!\/finetune)/, ackUnhandled(services.logger, 'command'));
  views.register(app, services);
  actions.register(app, services);
  events.register(app, services);
}
