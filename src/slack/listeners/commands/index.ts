import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { handleCardCommand } from './card.js';
import { handleCardAuditCommand } from './card-audit.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** Slash commands, by name. */
export const COMMANDS: Readonly<Record<string, (deps: ListenerDeps, args: CommandArgs) => Promise<void>>> = {
  '/card': handleCardCommand,
  '/card-audit': handleCardAuditCommand,
};
