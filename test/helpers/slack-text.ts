import type { SlackMessage } from '../../src/shell/fake-slack.js';

/** Every piece of text a person sees in a message: its fallback text and every text in its blocks. */
export function visibleText(message: Pick<SlackMessage, 'text' | 'blocks'> | undefined): string {
  if (!message) return '';
  const parts: string[] = [message.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') parts.push(value);
        else walk(value);
      }
    }
  };
  walk(message.blocks);
  return parts.join('\n');
}

/**
 * A value standing on its own: not inside a longer number, a hex hash, a random id or a
 * timestamp's milliseconds, where a short CVV or PIN can appear by chance.
 */
export function standsAlone(value: string): RegExp {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![0-9A-Za-z])${escaped}(?![0-9A-Za-z])`);
}
