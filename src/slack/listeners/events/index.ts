import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';

/** Events API listeners (the Home tab). */
export function registerEvents(app: App, deps: ListenerDeps): void {
  void app;
  void deps;
}
