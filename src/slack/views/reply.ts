import type { KnownBlock } from '@slack/types';
import { MESSAGES } from '../../messages.js';

/** An answer to show a user: mrkdwn text with its Block Kit form. */
export interface SlackReply {
  text: string;
  blocks: KnownBlock[];
}

export const SANDBOX_NOTE = MESSAGES.sandboxNote();

/** Section text is capped by Slack at 3000 characters. */
const MAX_SECTION = 2900;

/** A reply of one or more mrkdwn paragraphs, with the sandbox notice when the issuer is the sandbox. */
export function buildReply(paragraphs: string[], options: { sandbox: boolean; context?: string[] }): SlackReply {
  const blocks: KnownBlock[] = paragraphs.map((p) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: p.length > MAX_SECTION ? `${p.slice(0, MAX_SECTION)}…` : p },
  }));
  const context = [...(options.context ?? []), ...(options.sandbox ? [SANDBOX_NOTE] : [])];
  if (context.length > 0) {
    blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  }
  const text = [...paragraphs, ...(options.sandbox ? [MESSAGES.sandboxNoteShort()] : [])].join('\n');
  return { text: text.length > 3000 ? `${text.slice(0, 2990)}…` : text, blocks };
}

/** One button of a reply: what `withButtonAfterFirst` puts in its actions block. */
export interface ReplyButton {
  blockId: string;
  actionId: string;
  style: 'primary' | 'danger';
  text: string;
  value: string;
}

/** The reply with one button in an actions block right after its first paragraph. */
export function withButtonAfterFirst(reply: SlackReply, button: ReplyButton): SlackReply {
  const actions: KnownBlock = {
    type: 'actions',
    block_id: button.blockId,
    elements: [
      {
        type: 'button',
        action_id: button.actionId,
        style: button.style,
        text: { type: 'plain_text', text: button.text },
        value: button.value,
      },
    ],
  };
  const [section, ...rest] = reply.blocks;
  return { text: reply.text, blocks: section ? [section, actions, ...rest] : [actions, ...rest] };
}
