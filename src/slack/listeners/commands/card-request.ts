import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { RequestContext } from '../../../domain/cards/execute-card-op.js';
import type { CardOp } from '../../../domain/ops.js';
import type { Policy } from '../../../domain/policy/policy-schema.js';
import type { ListenerDeps } from '../../deps.js';
import type { SlackReply } from '../../views/reply.js';

/** One authorised `/card <op>` request, however it arrived (typed, or through the operation form). */
export interface CardRequest {
  deps: ListenerDeps;
  ctx: RequestContext & { policy: Policy };
  op: CardOp;
  cardId: string;
  reason?: string;
  amount?: number;
  /** Answers the asker, ephemerally, in the channel where they asked. */
  reply: (reply: SlackReply) => Promise<void>;
  /** Opens a modal for the asker (within the 3 s life of the trigger). */
  openModal: (view: View) => Promise<void>;
  /** The response_url of the request, to keep in the vault for answers given later; never stored. */
  responseUrl: string | undefined;
  client: WebClient;
}

export type CardOpHandler = (request: CardRequest) => Promise<void>;
