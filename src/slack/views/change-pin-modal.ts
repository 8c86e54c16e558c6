import type { View } from '@slack/types';
import { z } from 'zod';
import { PIN_PROBLEM_TEXT, pinProblem } from '../../domain/cards/pin-rules.js';
import { buildFormModal, buildMrkdwnSection, buildTextInput, textField } from './modal-parts.js';
import { code } from './mrkdwn.js';
import { encodeSecretModalMetadata, type SecretModalMetadata } from './secret-modal-metadata.js';

export const CHANGE_PIN_MODAL_ID = 'card_change_pin';

/** `/card change-pin <cardId>`: the new PIN is typed here, never on the command line. */
export function buildChangePinModal(metadata: SecretModalMetadata, sandbox: boolean): View {
  return buildFormModal({
    callbackId: CHANGE_PIN_MODAL_ID,
    privateMetadata: encodeSecretModalMetadata(metadata),
    title: 'Change PIN',
    submit: 'Change PIN',
    sandbox,
    blocks: [
      buildMrkdwnSection(
        `New PIN for card ${code(metadata.k)}. It goes to the issuer only: it is not shown, logged or kept.`,
      ),
      buildTextInput({
        id: 'new_pin',
        label: 'New PIN (4 digits)',
        hint: 'Not all one digit, and not a straight run like 1234 or 4321.',
        minLength: 4,
        maxLength: 4,
      }),
      buildTextInput({ id: 'confirm_pin', label: 'New PIN again', minLength: 4, maxLength: 4 }),
    ],
  });
}

const stateSchema = z.object({ new_pin: textField('new_pin'), confirm_pin: textField('confirm_pin').optional() });

/** The typed PIN and its confirmation; undefined when the payload is not of this modal's shape. SECRET. */
export function readChangePinModal(values: unknown): { pin: string; confirm: string | undefined } | undefined {
  const parsed = stateSchema.safeParse(values);
  if (!parsed.success) return undefined;
  return { pin: parsed.data.new_pin.trim(), confirm: parsed.data.confirm_pin?.trim() };
}

/** Field errors for a PIN that may not be set; never repeats the PIN. */
export function changePinFieldErrors(typed: { pin: string; confirm: string | undefined }): Record<string, string> {
  const problem = pinProblem(typed.pin);
  if (problem) return { new_pin: PIN_PROBLEM_TEXT[problem] };
  if (typed.confirm !== undefined && typed.confirm !== typed.pin) {
    return { confirm_pin: 'The two PINs differ. Type the same new PIN twice.' };
  }
  return {};
}
