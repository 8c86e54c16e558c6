import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';

/** Button clicks. One line per action; the handlers live beside this file, one per file. */
export function registerActions(app: App, deps: ListenerDeps): void {
  void app;
  void deps;
}
