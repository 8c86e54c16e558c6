import type { View } from '@slack/types';
import { z } from 'zod';
import { MESSAGES } from '../../messages.js';
import { buildFormModal, buildMrkdwnSection, buildTextInput, textField } from './modal-parts.js';
import { encodeSecretModalMetadata, type SecretModalMetadata } from './secret-modal-metadata.js';

export const ACTIVATE_MODAL_ID = 'card_activate';

/**
 * `/card activate <cardId>`: the agent types what the cardholder reads off the plastic. The modal
 * never holds a card value: the real ones are fetched and compared only after submission.
 */
export function buildActivateModal(metadata: SecretModalMetadata, sandbox: boolean): View {
  return buildFormModal({
    callbackId: ACTIVATE_MODAL_ID,
    privateMetadata: encodeSecretModalMetadata(metadata),
    title: MESSAGES.activateTitle(),
    submit: MESSAGES.activateSubmit(),
    sandbox,
    blocks: [
      buildMrkdwnSection(MESSAGES.activateIntro({ cardId: metadata.k })),
      buildTextInput({ id: 'last4', label: MESSAGES.activateLast4Label(), minLength: 4, maxLength: 4 }),
      buildTextInput({
        id: 'cvv',
        label: MESSAGES.activateCvvLabel(),
        minLength: 3,
        maxLength: 4,
      }),
    ],
  });
}

const stateSchema = z.object({ last4: textField('last4'), cvv: textField('cvv') });

/** The typed values, trimmed; undefined when the payload is not of this modal's shape. SECRET: never log them. */
export function readActivateModal(values: unknown): { last4: string; cvv: string } | undefined {
  const parsed = stateSchema.safeParse(values);
  if (!parsed.success) return undefined;
  return { last4: parsed.data.last4.replace(/\s/g, ''), cvv: parsed.data.cvv.replace(/\s/g, '') };
}

/** Field errors for badly formed input; they describe the format and never repeat what was typed. */
export function activateFieldErrors(typed: { last4: string; cvv: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!/^\d{4}$/.test(typed.last4)) errors.last4 = MESSAGES.activateLast4Error();
  if (!/^\d{3,4}$/.test(typed.cvv)) errors.cvv = MESSAGES.activateCvvError();
  return errors;
}
