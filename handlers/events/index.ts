import type { App } from '@slack/bolt';
import type { Services } from '../../src/services.ts';
import { appHomeOpened } from './app-home-opened.ts';

export function register(app: App, services: Services): void {
  app.event('app_home_opened', appHomeOpened(services));
}
