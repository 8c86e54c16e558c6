import type { InputBlock, KnownBlock, SectionBlock, View } from '@slack/types';
import { z } from 'zod';
import { MESSAGES } from '../../messages.js';

/** The line every form shows in sandbox mode. */
const MODAL_SANDBOX_NOTE = MESSAGES.formSandboxNote();

export interface TextInputSpec {
  /** Both the block_id and the action_id: the submission is read back by it. */
  id: string;
  label: string;
  hint?: string;
  optional?: boolean;
  minLength?: number;
  maxLength: number;
}

/** A one-line plain-text input block. */
export function buildTextInput(spec: TextInputSpec): InputBlock {
  return {
    type: 'input',
    block_id: spec.id,
    ...(spec.optional ? { optional: true } : {}),
    label: { type: 'plain_text', text: spec.label },
    ...(spec.hint !== undefined ? { hint: { type: 'plain_text', text: spec.hint } } : {}),
    element: {
      type: 'plain_text_input',
      action_id: spec.id,
      ...(spec.minLength !== undefined ? { min_length: spec.minLength } : {}),
      max_length: spec.maxLength,
    },
  };
}

/** A section block of mrkdwn text; the caller escapes whatever the user typed. */
export function buildMrkdwnSection(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** A form with Submit and Cancel; in sandbox mode its last block says so. */
export function buildFormModal(form: {
  callbackId: string;
  privateMetadata: string;
  title: string;
  submit: string;
  blocks: KnownBlock[];
  sandbox: boolean;
}): View {
  const blocks: KnownBlock[] = [...form.blocks];
  if (form.sandbox) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: MODAL_SANDBOX_NOTE }] });
  }
  return {
    type: 'modal',
    callback_id: form.callbackId,
    private_metadata: form.privateMetadata,
    title: { type: 'plain_text', text: form.title },
    submit: { type: 'plain_text', text: form.submit },
    close: { type: 'plain_text', text: MESSAGES.formCancel() },
    blocks,
  };
}

/** The submitted value of the text input `id` (block_id and action_id alike); '' when empty. */
export const textField = (id: string) =>
  z.object({ [id]: z.object({ value: z.string().nullable().optional() }) }).transform((v) => v[id]?.value ?? '');

/** How a form's private_metadata is written and read back; it is never trusted beyond its schema. */
export interface MetadataCodec<T> {
  encode(metadata: T): string;
  /** The metadata of a submitted form, or undefined when it is not of our making. */
  decode(text: unknown): T | undefined;
}

/** A private_metadata codec of the given shape: JSON out; in, at most 3000 characters that parse to the schema. */
export function createMetadataCodec<T>(schema: z.ZodType<T>): MetadataCodec<T> {
  return {
    encode: (metadata) => JSON.stringify(metadata),
    decode(text) {
      if (typeof text !== 'string' || text.length > 3000) return undefined;
      try {
        const parsed = schema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
