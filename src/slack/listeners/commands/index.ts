import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { handleCardCommand } from './card.js';
import { handleCardAuditCommand } from './card-audit.js';

export function registerCommands(app: App, deps: ListenerDeps): void {
  app.command('/card', (args) => handleCardCommand(deps, args));
  app.command('/card-audit', (args) => handleCardAuditCommand(deps, args));
}
