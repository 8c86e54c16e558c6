import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { handleAppHomeOpened } from './app-home-opened.js';

/** Events API listeners (the Home tab). */
export function registerEvents(app: App, deps: ListenerDeps): void {
  void app;
  void deps;
  app.event('app_home_opened', (args) => handleAppHomeOpened(deps, args));
}
