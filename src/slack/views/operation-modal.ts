import type { KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import { type CardOp, isCardOp } from '../../domain/ops.js';
import { MESSAGES, OP_SUMMARY } from '../../messages.js';
import { buildFormModal, buildTextInput, createMetadataCodec, textField } from './modal-parts.js';

export const OPERATION_MODAL_ID = 'card_operation';

/** What the form carries between opening and submission: never a secret, never a response_url. */
export const modalMetadataSchema = z.object({
  /** The channel where `/card` was typed: answers go there. */
  c: z.string().max(30),
  /** The vault handle of the command's response_url. */
  h: z.string().max(40).optional(),
});
export type ModalMetadata = z.infer<typeof modalMetadataSchema>;

const metadataCodec = createMetadataCodec(modalMetadataSchema);
export const encodeMetadata = metadataCodec.encode;
/** The metadata of a submitted form, or undefined when it was tampered with. */
export const decodeMetadata = metadataCodec.decode;

/** `/card` with no text: pick one of the operations this user may run here, a card id, a reason. */
export function buildOperationModal(allowed: CardOp[], metadata: ModalMetadata, sandbox: boolean): View {
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: 'op',
      label: { type: 'plain_text', text: MESSAGES.formOpLabel() },
      element: {
        type: 'static_select',
        action_id: 'op',
        placeholder: { type: 'plain_text', text: MESSAGES.formOpPlaceholder() },
        options: allowed.map((op) => ({
          text: { type: 'plain_text', text: op },
          value: op,
          description: { type: 'plain_text', text: OP_SUMMARY[op].slice(0, 75) },
        })),
      },
    },
    buildTextInput({
      id: 'card_id',
      label: MESSAGES.formCardIdLabel(),
      hint: MESSAGES.formCardIdHint(),
      maxLength: 64,
    }),
    buildTextInput({
      id: 'reason',
      optional: true,
      label: MESSAGES.formReasonLabel(),
      hint: MESSAGES.formReasonHint(),
      maxLength: 300,
    }),
  ];
  if (allowed.includes('set-limit')) {
    blocks.push(buildTextInput({ id: 'amount', optional: true, label: MESSAGES.formAmountLabel(), maxLength: 16 }));
  }
  return buildFormModal({
    callbackId: OPERATION_MODAL_ID,
    privateMetadata: encodeMetadata(metadata),
    title: MESSAGES.formTitle(),
    submit: MESSAGES.formSubmit(),
    sandbox,
    blocks,
  });
}

const stateSchema = z.object({
  op: z.object({ op: z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() }) }),
  card_id: textField('card_id'),
  reason: textField('reason').optional(),
  amount: textField('amount').optional(),
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
    cardId: s.card_id.trim(),
    reason: s.reason ?? '',
    amount: (s.amount ?? '').trim(),
  };
}
