import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { exactly } from '../exact-ids.js';
import { handleCardCommand } from './card.js';
import { handleCardAuditCommand } from './card-audit.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

const COMMANDS: Record<string, (deps: ListenerDeps, args: CommandArgs) => Promise<void>> = {
  '/card': handleCardCommand,
  '/card-audit': handleCardAuditCommand,
};

export function registerCommands(app: App, deps: ListenerDeps): void {
  app.command(exactly(Object.keys(COMMANDS)), (args) => COMMANDS[args.command.command]!(deps, args));
}
