import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { handleCardCommand } from './card.js';

export function registerCommands(app: App, deps: ListenerDeps): void {
  app.command('/card', (args) => handleCardCommand(deps, args));
}
