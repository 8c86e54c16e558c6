import { AuthorizationError, type ReceiverProcessEventErrorHandlerArgs, type Logger as SlackLogger } from '@slack/bolt';

/**
 * What the HTTP receiver answers when Bolt itself throws on a correctly signed body before any
 * listener runs: a payload without `user`, a `view` or `actions` of the wrong type. Bolt's default
 * is a 500 and an error line; such a body is malformed input, not a fault of the bot, so it gets a
 * 400 and a warning. Errors in listeners never come here: `app.error` handles them.
 */
export function refuseUnprocessable(logger: SlackLogger) {
  return async ({ error, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    if (response.headersSent) {
      logger.warn(`a Slack request failed after it was acknowledged (${error.name})`);
      return false;
    }
    if (error instanceof AuthorizationError) {
      response.writeHead(401);
      response.end();
      return true;
    }
    // The message only: it names a missing field, never a value from the body.
    logger.warn(`refused a signed Slack request Bolt could not process: ${error.message.slice(0, 120)}`);
    response.writeHead(400);
    response.end();
    return true;
  };
}
