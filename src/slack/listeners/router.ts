import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import { ACTIONS } from './actions/index.js';
import { COMMANDS } from './commands/index.js';
import { EVENTS } from './events/index.js';
import { FORMS } from './views/index.js';

/**
 * Picks the handler for a delivery from cardops' own tables: slash commands by name, button clicks
 * by action_id, form submissions by callback_id, the Home tab event by type. Undefined when none
 * applies; the caller then lets Bolt carry on, which, with no listener registered, leaves the
 * delivery unacknowledged exactly as an unmatched listener would.
 *
 * Why a table and not `app.command()`, `app.action()`, …: Bolt runs every registered listener's
 * filter chain for every delivery, each link with a fresh copy of the arguments, and waits for all
 * of them. With one listener per kind that was four chains and seven copies per request, about a
 * fifth of the CPU a `/card block` costs the bot (measured side by side, docs/benchmarks.md).
 * The matching rules are Bolt's own: a command by `command`, an action by the first action's
 * `action_id`, a view by `callback_id` of a `view_submission`, an event by `event.type`.
 */
export type Route = () => Promise<void>;

export function createRouter(deps: ListenerDeps): (args: AnyMiddlewareArgs & AllMiddlewareArgs) => Route | undefined {
  return (args) => {
    if ('command' in args && args.command) {
      const handler = own(COMMANDS, args.command.command);
      return handler && (() => handler(deps, args as Parameters<typeof handler>[1]));
    }
    if ('action' in args && args.action) {
      const actionId = (args.action as { action_id?: unknown }).action_id;
      const handler = typeof actionId === 'string' ? own(ACTIONS, actionId) : undefined;
      return handler && (() => handler(deps, args as unknown as Parameters<typeof handler>[1]));
    }
    if ('view' in args && args.view) {
      if (args.body.type !== 'view_submission') return undefined;
      const handler = own(FORMS, args.view.callback_id);
      return handler && (() => handler(deps, args as unknown as Parameters<typeof handler>[1]));
    }
    if ('event' in args && args.event) {
      if (args.event.type !== 'app_home_opened') return undefined;
      const handler = EVENTS.app_home_opened;
      return () => handler(deps, args as unknown as Parameters<typeof handler>[1]);
    }
    return undefined;
  };
}

/** A table's own entry: a name like `constructor` or `__proto__` finds nothing. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
