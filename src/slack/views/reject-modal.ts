import type { View } from '@slack/types';
import { z } from 'zod';
import type { ApprovalRequest } from '../../domain/approvals/approval-types.js';
import { MAX_REASON_LENGTH } from '../../domain/cards/card-command.js';
import { MESSAGES } from '../../messages.js';
import { createMetadataCodec } from './modal-parts.js';
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
    title: { type: 'plain_text', text: MESSAGES.rejectTitle() },
    submit: { type: 'plain_text', text: MESSAGES.rejectSubmit() },
    close: { type: 'plain_text', text: MESSAGES.rejectBack() },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: MESSAGES.rejectIntro({ requestId: request.id, cardId: request.cardId }),
        },
      },
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: { type: 'plain_text', text: MESSAGES.rejectReasonLabel() },
        hint: { type: 'plain_text', text: MESSAGES.rejectReasonHint() },
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
    title: { type: 'plain_text', text: MESSAGES.rejectTitle() },
    close: { type: 'plain_text', text: MESSAGES.rejectClose() },
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
