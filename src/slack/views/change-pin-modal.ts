import type { KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import { PIN_PROBLEM_TEXT, pinProblem } from '../../domain/cards/pin-rules.js';
import { code } from './mrkdwn.js';
import { encodeSecretModalMetadata, type SecretModalMetadata } from './secret-modal-metadata.js';

export const CHANGE_PIN_MODAL_ID = 'card_change_pin';

/** `/card change-pin <cardId>`: the new PIN is typed here, never on the command line. */
export function buildChangePinModal(metadata: SecretModalMetadata, sandbox: boolean): View {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `New PIN for card ${code(metadata.k)}. It goes to the issuer only: it is not shown, logged or kept.`,
      },
    },
    {
      type: 'input',
      block_id: 'new_pin',
      label: { type: 'plain_text', text: 'New PIN (4 digits)' },
      hint: { type: 'plain_text', text: 'Not all one digit, and not a straight run like 1234 or 4321.' },
      element: { type: 'plain_text_input', action_id: 'new_pin', min_length: 4, max_length: 4 },
    },
    {
      type: 'input',
      block_id: 'confirm_pin',
      label: { type: 'plain_text', text: 'New PIN again' },
      element: { type: 'plain_text_input', action_id: 'confirm_pin', min_length: 4, max_length: 4 },
    },
  ];
  if (sandbox) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: ':test_tube: Sandbox issuer: demo cards only.' }],
    });
  }
  return {
    type: 'modal',
    callback_id: CHANGE_PIN_MODAL_ID,
    private_metadata: encodeSecretModalMetadata(metadata),
    title: { type: 'plain_text', text: 'Change PIN' },
    submit: { type: 'plain_text', text: 'Change PIN' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

const textField = (id: string) =>
  z.object({ [id]: z.object({ value: z.string().nullable().optional() }) }).transform((v) => v[id]?.value ?? '');

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
