import type { CheckpointReading } from '../../domain/audit/anchor-check.js';
import { parseCheckpoints, type SignedCheckpoint } from '../../domain/audit/checkpoint.js';
import type { CheckpointSink } from '../../domain/audit/checkpointer.js';
import { slackErrorCode } from './usergroups.js';

/** The two Web API calls the anchor channel needs (chat:write and channels:history). */
export interface AnchorChannelClient {
  chat: {
    postMessage(args: { channel: string; text: string; unfurl_links?: boolean }): Promise<unknown>;
  };
  conversations: {
    history(args: { channel: string; limit?: number; cursor?: string }): Promise<{
      messages?: { text?: string }[];
      response_metadata?: { next_cursor?: string };
    }>;
  };
}

/** How much of the channel's history a verification reads: the newest messages, enough for days of checkpoints. */
export const ANCHOR_HISTORY_MAX_MESSAGES = 2000;
const PAGE = 200;

/** A checkpoint posted as a message: a line for people, the signed line for the verifier. */
export function checkpointMessage(line: string, c: SignedCheckpoint): string {
  return `Audit checkpoint: rows 1–${c.row} of the cardops audit log, signed at ${c.time}.\n\`${line}\``;
}

/** Posts each checkpoint to the policy's `audit.anchor_channel` (read at each post: a reload applies). */
export function anchorChannelSink(client: AnchorChannelClient, channel: string): CheckpointSink {
  return {
    name: 'channel',
    async publish(line, checkpoint) {
      await client.chat.postMessage({ channel, text: checkpointMessage(line, checkpoint), unfurl_links: false });
    },
  };
}

/**
 * Reads checkpoints back from the anchor channel's history, newest first, up to `maxMessages`.
 * A channel that cannot be read is reported with Slack's error code (`not_in_channel`,
 * `missing_scope`, …), never thrown.
 */
export async function readAnchorChannel(
  client: AnchorChannelClient,
  channel: string,
  maxMessages = ANCHOR_HISTORY_MAX_MESSAGES,
): Promise<CheckpointReading> {
  const checkpoints: SignedCheckpoint[] = [];
  let malformed = 0;
  let cursor: string | undefined;
  let read = 0;
  try {
    do {
      const page = await client.conversations.history({
        channel,
        limit: Math.min(PAGE, maxMessages - read),
        ...(cursor ? { cursor } : {}),
      });
      for (const message of page.messages ?? []) {
        const found = parseCheckpoints(message.text ?? '');
        checkpoints.push(...found.checkpoints);
        malformed += found.malformed;
      }
      read += page.messages?.length ?? 0;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor && read < maxMessages);
  } catch (error) {
    return { source: 'channel', checkpoints: undefined, problem: `Slack answered ${slackErrorCode(error)}`, malformed };
  }
  return { source: 'channel', checkpoints, malformed, ...(cursor ? { partial: true } : {}) };
}
