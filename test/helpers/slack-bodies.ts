import type { FakeSlack, SlackMessage } from '../../src/shell/fake-slack.js';
import { type ButtonRef, buttonsOf } from '../../src/shell/slack-driver.js';

/**
 * The bodies Slack posts, built outside the driver so that a test can sign them, send them to a
 * bot in another process, replay them or tamper with them. Shapes as in src/shell/slack-driver.ts.
 */

/** A button click on a message, as Slack sends it (`block_actions`). */
export function clickBody(slack: FakeSlack, user: string, message: SlackMessage, button: ButtonRef) {
  return {
    type: 'block_actions',
    user: { id: user, username: user, name: user, team_id: slack.teamId },
    api_app_id: 'A0CARDOPS',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: message.channel,
      is_ephemeral: message.visibility === 'ephemeral',
    },
    trigger_id: slack.newTriggerId(user, message.channel),
    team: { id: slack.teamId, domain: 'cardops-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: message.channel.toLowerCase() },
    message: { type: 'message', user: 'U0CARDBOT', ts: message.ts, text: message.text, blocks: message.blocks },
    state: { values: {} },
    response_url: slack.newResponseUrl(user, message.channel, message),
    actions: [
      {
        type: 'button',
        action_id: button.actionId,
        block_id: button.blockId,
        text: { type: 'plain_text', text: button.text },
        ...(button.value !== undefined ? { value: button.value } : {}),
        action_ts: `${Date.now() / 1000}`,
      },
    ] as Record<string, unknown>[],
  };
}

/** The click on the button of a message with this action id; throws when the message has none. */
export function clickOn(slack: FakeSlack, user: string, message: SlackMessage, actionId: string) {
  const button = buttonsOf(message.blocks).find((b) => b.actionId === actionId);
  if (!button) throw new Error(`message ${message.id} has no ${actionId} button`);
  return clickBody(slack, user, message, button);
}
