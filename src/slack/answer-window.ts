import type { RespondArguments } from '@slack/bolt';
import type { Logger } from '../logger.js';

/** How long a slash command's acknowledgement may wait for its answer (SPEC: ack within 3 s). */
export const ANSWER_IN_ACK_MS = 10;

export interface AnswerWindow {
  /**
   * Sends `message` as the acknowledgement itself when the window is still open (Slack shows it to
   * the asker at once, ephemerally); false when the acknowledgement has already gone.
   */
  answer(message: RespondArguments): Promise<boolean>;
  /** Acknowledges now, empty, unless done already. */
  close(): Promise<void>;
}

/**
 * The acknowledgement of a slash command, held open for at most `windowMs`: an answer ready by
 * then rides on it (no response_url post, nothing to lose in between), otherwise it goes out empty
 * when the window ends and the answer follows through the response_url. Slack asks for the
 * acknowledgement within 3 s; the window is a small fraction of that, so a slow issuer never
 * delays it noticeably. `windowMs <= 0` acknowledges at once.
 */
export function openAnswerWindow(
  ack: (message?: RespondArguments) => Promise<void>,
  windowMs: number,
  logger: Pick<Logger, 'warn'>,
): AnswerWindow {
  let sent: Promise<void> | undefined;
  const ackEmpty = (): Promise<void> => {
    sent ??= ack();
    return sent;
  };
  let timer: NodeJS.Timeout | undefined;
  if (windowMs > 0) {
    timer = setTimeout(() => {
      ackEmpty().catch((error: unknown) => logger.warn({ err: error }, 'acknowledgement failed'));
    }, windowMs);
  } else {
    void ackEmpty().catch((error: unknown) => logger.warn({ err: error }, 'acknowledgement failed'));
  }
  return {
    async answer(message) {
      if (sent) return false;
      clearTimeout(timer);
      sent = ack(message);
      await sent;
      return true;
    },
    async close() {
      clearTimeout(timer);
      await ackEmpty();
    },
  };
}
