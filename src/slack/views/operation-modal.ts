import type { KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import { OP_SUMMARY } from '../../domain/cards/card-command.js';
import { type CardOp, isCardOp } from '../../domain/ops.js';

export const OPERATION_MODAL_ID = 'card_operation';

/** What the form carries between opening and submission: never a secret, never a response_url. */
export const modalMetadataSchema = z.object({
  /** The channel where `/card` was typed: answers go there. */
  c: z.string().max(30),
  /** The vault handle of the command's response_url. */
  h: z.string().max(40).optional(),
});
export type ModalMetadata = z.infer<typeof modalMetadataSchema>;

export function encodeMetadata(metadata: ModalMetadata): string {
  return JSON.stringify(metadata);
}

/** The metadata of a submitted form, or undefined when it was tampered with. */
export function decodeMetadata(text: unknown): ModalMetadata | undefined {
  if (typeof text !== 'string' || text.length > 3000) return undefined;
  try {
    const parsed = modalMetadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** `/card` with no text: pick one of the operations this user may run here, a card id, a reason. */
export function buildOperationModal(allowed: CardOp[], metadata: ModalMetadata, sandbox: boolean): View {
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: 'op',
      label: { type: 'plain_text', text: 'Operation' },
      element: {
        type: 'static_select',
        action_id: 'op',
        placeholder: { type: 'plain_text', text: 'Choose an operation' },
        options: allowed.map((op) => ({
          text: { type: 'plain_text', text: op },
          value: op,
          description: { type: 'plain_text', text: OP_SUMMARY[op].slice(0, 75) },
        })),
      },
    },
    {
      type: 'input',
      block_id: 'card_id',
      label: { type: 'plain_text', text: 'Card id' },
      hint: { type: 'plain_text', text: 'The issuer’s card id, never the card number.' },
      element: { type: 'plain_text_input', action_id: 'card_id', max_length: 64 },
    },
    {
      type: 'input',
      block_id: 'reason',
      optional: true,
      label: { type: 'plain_text', text: 'Reason' },
      hint: { type: 'plain_text', text: 'Required to cancel a card; kept in the audit log.' },
      element: { type: 'plain_text_input', action_id: 'reason', max_length: 300 },
    },
  ];
  if (allowed.includes('set-limit')) {
    blocks.push({
      type: 'input',
      block_id: 'amount',
      optional: true,
      label: { type: 'plain_text', text: 'Amount (set-limit only)' },
      element: { type: 'plain_text_input', action_id: 'amount', max_length: 16 },
    });
  }
  if (sandbox) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: ':test_tube: Sandbox issuer: demo cards only.' }],
    });
  }
  return {
    type: 'modal',
    callback_id: OPERATION_MODAL_ID,
    private_metadata: encodeMetadata(metadata),
    title: { type: 'plain_text', text: 'Card operation' },
    submit: { type: 'plain_text', text: 'Run' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

const stateSchema = z.object({
  op: z.object({ op: z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() }) }),
  card_id: z.object({ card_id: z.object({ value: z.string().nullable().optional() }) }),
  reason: z.object({ reason: z.object({ value: z.string().nullable().optional() }) }).optional(),
  amount: z.object({ amount: z.object({ value: z.string().nullable().optional() }) }).optional(),
});

/** The typed values of a submitted operation form; undefined when the payload is not of its shape. */
export function readOperationModal(
  values: unknown,
): { op: CardOp | undefined; cardId: string; reason: string; amount: string } | undefined {
  const parsed = stateSchema.safeParse(values);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  const op = s.op.op.selected_option?.value;
  return {
    op: op && isCardOp(op) ? op : undefined,
    cardId: (s.card_id.card_id.value ?? '').trim(),
    reason: s.reason?.reason.value ?? '',
    amount: (s.amount?.amount.value ?? '').trim(),
  };
}
