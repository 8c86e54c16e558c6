import type { FakeSlack, SlackMessage } from '../../src/shell/fake-slack.js';
import { type ButtonRef, buildMessageClickBody, buttonsOf } from '../../src/shell/slack-driver.js';

/**
 * The bodies Slack posts, built outside the driver so that a test can sign them, send them to a
 * bot in another process, replay them or tamper with them. The shapes come from src/shell/slack-driver.ts.
 */

/** A button click on a message, as Slack sends it (`block_actions`). */
export function clickBody(slack: FakeSlack, user: string, message: SlackMessage, button: ButtonRef) {
  return buildMessageClickBody(slack, user, message, button).body;
}

/** The click on the button of a message with this action id; throws when the message has none. */
export function clickOn(slack: FakeSlack, user: string, message: SlackMessage, actionId: string) {
  const button = buttonsOf(message.blocks).find((b) => b.actionId === actionId);
  if (!button) throw new Error(`message ${message.id} has no ${actionId} button`);
  return clickBody(slack, user, message, button);
}
