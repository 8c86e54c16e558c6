import { z } from 'zod';
import { CARD_ID_PATTERN } from '../../domain/ops.js';
import { createMetadataCodec } from './modal-parts.js';

/**
 * What the activation and PIN-change modals carry from opening to submission: the channel where
 * the command was typed (answers go there), the vault handle of its response_url, and the card.
 * Never a secret, never the response_url itself.
 */
export const secretModalMetadataSchema = z.object({
  c: z.string().max(30),
  h: z.string().max(40).optional(),
  k: z.string().regex(CARD_ID_PATTERN),
});
export type SecretModalMetadata = z.infer<typeof secretModalMetadataSchema>;

const secretModalMetadataCodec = createMetadataCodec(secretModalMetadataSchema);
export const encodeSecretModalMetadata = secretModalMetadataCodec.encode;
/** The metadata of a submitted modal, or undefined when it is not of our making. */
export const decodeSecretModalMetadata = secretModalMetadataCodec.decode;
