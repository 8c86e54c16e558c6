import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { SlackReply } from './views/reply.js';

/**
 * Answers one person ephemerally: first through a response_url (it works even where the bot is not
 * a member), else with an ephemeral post in the channel. Never a DM: DMs persist. Only for answers
 * without a secret: a secret is shown solely through a Reveal click's own response_url.
 */
export async function deliverAnswer(
  deps: { logger: Pick<Logger, 'warn'> },
  client: WebClient,
  target: { userId: string; channelId: string },
  message: SlackReply,
  viaResponseUrl: (() => Promise<unknown>) | undefined,
): Promise<void> {
  if (viaResponseUrl) {
    try {
      await viaResponseUrl();
      return;
    } catch (error) {
      deps.logger.warn({ err: error }, 'response_url refused the answer; trying an ephemeral post');
    }
  }
  try {
    await client.chat.postEphemeral({
      channel: target.channelId,
      user: target.userId,
      text: message.text,
      blocks: message.blocks,
    });
  } catch (error) {
    deps.logger.warn({ err: error, channel: target.channelId }, 'answer could not be delivered');
  }
}
