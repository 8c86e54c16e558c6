import { z } from 'zod';
import type { Logger } from '../../logger.js';

/**
 * Checks, before any listener, that an interaction has the shape the listeners read: a user id of
 * Slack's form, actions as a list of objects with an action_id, a view with `state.values`. Slack
 * sends nothing else; a signed body that is malformed anyway is acknowledged (so Slack, or whoever
 * holds the signing secret, gets no error to probe) and goes no further, with a warning. Bolt's
 * types promise these fields, so without this a listener would throw on them, or write an audit
 * row without an actor.
 */

const slackId = z.string().regex(/^[A-Z][A-Z0-9]{2,}$/);
const user = z.object({ id: slackId });
const team = z.object({ id: slackId }).nullish();

const blockActions = z
  .object({
    user,
    team,
    actions: z.array(z.object({ action_id: z.string(), type: z.string(), value: z.string().optional() })).min(1),
    channel: z.object({ id: slackId }).optional(),
    container: z.object({ type: z.string() }),
    response_url: z.string().optional(),
  })
  // A click on a message always comes with a response_url (Bolt's respond() needs it); clicks in a
  // modal or on the Home tab come without one.
  .refine((body) => body.container.type !== 'message' || body.response_url !== undefined, {
    path: ['response_url'],
    message: 'a click on a message without a response_url',
  });

const viewPayload = z.object({
  user,
  team,
  view: z.object({
    id: z.string(),
    callback_id: z.string(),
    private_metadata: z.string().optional(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({}).loose())) }).optional(),
  }),
});

const SHAPES: Record<string, z.ZodType> = {
  block_actions: blockActions,
  view_submission: viewPayload,
  view_closed: viewPayload,
};

/** The first problem with an interaction's shape, as a path (never a value), or undefined when it holds. */
export function interactionProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const type = (body as { type?: unknown }).type;
  const shape = typeof type === 'string' ? SHAPES[type] : undefined;
  if (!shape) return undefined;
  const parsed = shape.safeParse(body);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${type}: ${issue?.path.map(String).join('.') || 'body'} (${issue?.code ?? 'invalid'})`;
}

/** True (and logged) when an interaction's shape is wrong: it must go no further. */
export function malformedInteraction(body: unknown, logger: Pick<Logger, 'warn'>): boolean {
  const problem = interactionProblem(body);
  if (problem === undefined) return false;
  logger.warn({ problem }, 'dropped a malformed Slack interaction');
  return true;
}
