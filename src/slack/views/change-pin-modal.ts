import type { View } from '@slack/types';
import { z } from 'zod';
import { PIN_PROBLEM_TEXT, pinProblem } from '../../domain/cards/pin-rules.js';
import { MESSAGES } from '../../messages.js';
import { buildFormModal, buildMrkdwnSection, buildTextInput, textField } from './modal-parts.js';
import { encodeSecretModalMetadata, type SecretModalMetadata } from './secret-modal-metadata.js';

export const CHANGE_PIN_MODAL_ID = 'card_change_pin';

/** `/card change-pin <cardId>`: the new PIN is typed here, never on the command line. */
export function buildChangePinModal(metadata: SecretModalMetadata, sandbox: boolean): View {
  return buildFormModal({
    callbackId: CHANGE_PIN_MODAL_ID,
    privateMetadata: encodeSecretModalMetadata(metadata),
    title: MESSAGES.changePinTitle(),
    submit: MESSAGES.changePinSubmit(),
    sandbox,
    blocks: [
      buildMrkdwnSection(MESSAGES.changePinIntro({ cardId: metadata.k })),
      buildTextInput({
        id: 'new_pin',
        label: MESSAGES.changePinLabel(),
        hint: MESSAGES.changePinHint(),
        minLength: 4,
        maxLength: 4,
      }),
      buildTextInput({ id: 'confirm_pin', label: MESSAGES.changePinAgainLabel(), minLength: 4, maxLength: 4 }),
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
    return { confirm_pin: MESSAGES.changePinDiffer() };
  }
  return {};
}
