import type { View } from '@slack/types';
import { z } from 'zod';
import type { ApprovalRequest } from '../../domain/approvals/approval-types.js';
import { MAX_REASON_LENGTH } from '../../domain/cards/card-command.js';
import { createMetadataCodec } from './modal-parts.js';
import { code } from './mrkdwn.js';
import { SANDBOX_NOTE, type SlackReply } from './reply.js';

export const REJECT_MODAL_ID = 'approval_reject_reason';

/** The form carries the request id and where the click came from; nothing else. */
export const rejectMetadataSchema = z.object({
  a: z.string().regex(/^CR-[0-9A-HJKMNP-TV-Z]{8}$/),
  /** The click came from the Home tab: the answer is a re-published Home tab. */
  home: z.boolean(),
});
export type RejectMetadata = z.infer<typeof rejectMetadataSchema>;

const rejectMetadataCodec = createMetadataCodec(rejectMetadataSchema);

/** The metadata of a submitted form, or undefined when it is not what this app wrote. */
export const decodeRejectMetadata = rejectMetadataCodec.decode;

/** Reject a cancel request, with an optional reason for the requester and the audit. */
export function buildRejectModal(request: ApprovalRequest, metadata: RejectMetadata, sandbox: boolean): View {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL_ID,
    private_metadata: rejectMetadataCodec.encode(metadata),
    title: { type: 'plain_text', text: 'Reject cancel request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Reject ${code(request.id)}: card ${code(request.cardId)} will *not* be cancelled.`,
        },
      },
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: { type: 'plain_text', text: 'Reason (optional)' },
        hint: { type: 'plain_text', text: 'Shown to the requester and kept in the audit log.' },
        element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: MAX_REASON_LENGTH },
      },
      ...(sandbox ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: SANDBOX_NOTE }] }] : []),
    ],
  };
}

/** A form that only tells something (refused, decided meanwhile): no submit button. */
export function buildRejectNotice(reply: SlackReply): View {
  return {
    type: 'modal',
    callback_id: `${REJECT_MODAL_ID}_notice`,
    title: { type: 'plain_text', text: 'Reject cancel request' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: reply.blocks,
  };
}

const reasonSchema = z.object({
  reason: z.object({ reason: z.object({ value: z.string().nullable().optional() }) }).optional(),
});

/** The typed reason, or null when none was given; undefined when the payload is not of this form's shape. */
export function readRejectReason(values: unknown): string | null | undefined {
  const parsed = reasonSchema.safeParse(values);
  if (!parsed.success) return undefined;
  return parsed.data.reason?.reason.value ?? null;
}
