import crypto from 'node:crypto';
import type { App } from '@slack/bolt';
import type { FakeSlack, OpenView, SlackMessage } from './fake-slack.js';

/**
 * Plays the Slack side of a conversation with the app: builds the bodies Slack sends for a
 * slash command, a button click, a modal submission or a Home tab opening, delivers them
 * (in-process through `app.processEvent`, or over HTTP with a real signature), and applies
 * the acknowledgement the way Slack would (an ack with text is an ephemeral message, an ack
 * with errors keeps the modal open).
 */

/** A delivery as the app receives it: the parsed body, and how Slack would post it. */
export interface Delivery {
  kind: 'command' | 'interaction' | 'event';
  body: Record<string, unknown>;
}

export interface DeliveryResult {
  status: number;
  /** What the app acknowledged with (parsed JSON when it was JSON, else the text). */
  ack: unknown;
}

export type Transport = (delivery: Delivery) => Promise<DeliveryResult>;

/** Delivers straight to `app.processEvent`, as bolt-js tests itself: no network. */
export function processEventTransport(app: App): Transport {
  return async ({ body }) => {
    let ackBody: unknown;
    let acked = false;
    await app.processEvent({
      body,
      ack: async (response?: unknown) => {
        if (acked) throw new Error('ack() called twice');
        acked = true;
        ackBody = response;
      },
    });
    return { status: acked ? 200 : 404, ack: ackBody };
  };
}

/** The raw HTTP body Slack would send for a delivery, and its content type. */
export function encodeDelivery(delivery: Delivery): { raw: string; contentType: string } {
  if (delivery.kind === 'event') return { raw: JSON.stringify(delivery.body), contentType: 'application/json' };
  if (delivery.kind === 'interaction') {
    return {
      raw: new URLSearchParams({ payload: JSON.stringify(delivery.body) }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(delivery.body)) form.set(key, String(value));
  return { raw: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:" + ts + ":" + body). */
export function signRequest(secret: string, raw: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${raw}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

/** Delivers over real HTTP to `POST {url}` with a valid signature, as Slack does. */
export function httpTransport(url: string, signingSecret: string): Transport {
  return async (delivery) => {
    const { raw, contentType } = encodeDelivery(delivery);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, ...signRequest(signingSecret, raw) },
      body: raw,
    });
    const text = await response.text();
    let ack: unknown = text;
    if (text && response.headers.get('content-type')?.includes('json')) {
      try {
        ack = JSON.parse(text);
      } catch {
        ack = text;
      }
    }
    return { status: response.status, ack: text === '' ? undefined : ack };
  };
}

export interface SlackDriverOptions {
  slack: FakeSlack;
  transport: Transport;
  /** Resolves once the app has finished the work the deliveries started. */
  idle?: () => Promise<void>;
  appId?: string;
}

export interface CommandResult extends DeliveryResult {
  /** Messages created or changed by this command, in order. */
  messages: SlackMessage[];
  responseUrl: string;
}

export interface SlackDriver {
  readonly slack: FakeSlack;
  command(user: string, channel: string, command: string, text: string): Promise<CommandResult>;
  /** Clicks a button of a message (by action_id, or by the button's index in the message). */
  click(user: string, message: SlackMessage, action: string | number): Promise<CommandResult>;
  /** Clicks a button inside an open modal or a Home tab. */
  clickInView(
    user: string,
    view: OpenView | { id: string; view: Record<string, unknown> },
    action: string | number,
  ): Promise<CommandResult>;
  /** Submits a modal with the given values, keyed by block_id (or action_id). */
  submitView(
    user: string,
    view: OpenView,
    values: Record<string, string>,
  ): Promise<CommandResult & { errors?: Record<string, string> }>;
  closeView(user: string, view: OpenView): Promise<CommandResult>;
  openHome(user: string): Promise<CommandResult>;
  /** The modal most recently opened for this user that is still open. */
  openViewOf(user: string): OpenView | undefined;
  deliverRaw(delivery: Delivery): Promise<DeliveryResult>;
}

export interface ButtonRef {
  actionId: string;
  blockId: string;
  value: string | undefined;
  text: string;
  style?: string;
}

/** Every button in a list of blocks, in reading order. */
export function buttonsOf(blocks: unknown[] | undefined): ButtonRef[] {
  const found: ButtonRef[] = [];
  for (const block of blocks ?? []) {
    const b = block as { block_id?: string; elements?: unknown[]; accessory?: unknown };
    const elements = [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])];
    for (const element of elements) {
      const e = element as {
        type?: string;
        action_id?: string;
        value?: string;
        text?: { text?: string };
        style?: string;
      };
      if (e.type === 'button' && e.action_id) {
        found.push({
          actionId: e.action_id,
          blockId: b.block_id ?? '',
          value: e.value,
          text: e.text?.text ?? e.action_id,
          ...(e.style ? { style: e.style } : {}),
        });
      }
    }
  }
  return found;
}

const DEFAULT_APP_ID = 'A0CARDOPS';

function userOf(slack: FakeSlack, user: string) {
  const name = slack.users.get(user)?.name ?? user;
  return { id: user, username: name, name, team_id: slack.teamId };
}

function channelNameOf(slack: FakeSlack, channel: string): string {
  return channel.startsWith('D') ? 'directmessage' : (slack.channels.get(channel)?.name ?? channel.toLowerCase());
}

function actionPayload(button: ButtonRef) {
  return {
    type: 'button',
    action_id: button.actionId,
    block_id: button.blockId,
    text: { type: 'plain_text', text: button.text },
    ...(button.value !== undefined ? { value: button.value } : {}),
    action_ts: `${Date.now() / 1000}`,
  };
}

/**
 * The `block_actions` body Slack posts for a click on a message's button, with a fresh trigger_id
 * and response_url. Slack sends the message itself only when it is not ephemeral.
 */
export function buildMessageClickBody(
  slack: FakeSlack,
  user: string,
  message: SlackMessage,
  button: ButtonRef,
  appId = DEFAULT_APP_ID,
): { body: Record<string, unknown>; responseUrl: string } {
  const responseUrl = slack.newResponseUrl(user, message.channel, message);
  const ephemeral = message.visibility === 'ephemeral';
  const body: Record<string, unknown> = {
    type: 'block_actions',
    user: userOf(slack, user),
    api_app_id: appId,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: ephemeral },
    trigger_id: slack.newTriggerId(user, message.channel),
    team: { id: slack.teamId, domain: 'cardops-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: channelNameOf(slack, message.channel) },
    state: { values: {} },
    response_url: responseUrl,
    actions: [actionPayload(button)],
  };
  if (!ephemeral) {
    body.message = { type: 'message', user: 'U0CARDBOT', ts: message.ts, text: message.text, blocks: message.blocks };
  }
  return { body, responseUrl };
}

export function createSlackDriver(options: SlackDriverOptions): SlackDriver {
  const { slack, transport } = options;
  const appId = options.appId ?? DEFAULT_APP_ID;
  const idle = options.idle ?? (async () => {});
  const team = { id: slack.teamId, domain: 'cardops-test' };

  const run = async (delivery: Delivery, responseUrl: string): Promise<CommandResult> => {
    const before = new Map(slack.messages.map((m) => [m.id, m.revision]));
    const result = await transport(delivery);
    if (result.ack !== undefined) slack.acks.push(result.ack);
    await idle();
    const messages = slack.messages.filter((m) => before.get(m.id) !== m.revision);
    return { ...result, messages, responseUrl };
  };

  /** An ack with a message body is shown to the asker as an ephemeral message. */
  const applyAck = (result: DeliveryResult, user: string, channel: string) => {
    const ack = result.ack;
    if (ack !== undefined) slack.acks.push(ack);
    if (ack && typeof ack === 'object' && ('text' in ack || 'blocks' in ack)) {
      const a = ack as { text?: string; blocks?: unknown[] };
      slack.showAck(user, channel, a.text ?? '', a.blocks);
    } else if (typeof ack === 'string' && ack.trim() !== '') {
      slack.showAck(user, channel, ack, undefined);
    }
  };

  const findButton = (blocks: unknown[] | undefined, action: string | number): ButtonRef => {
    const buttons = buttonsOf(blocks);
    const button = typeof action === 'number' ? buttons[action] : buttons.find((b) => b.actionId === action);
    if (!button) throw new Error(`no button ${String(action)} (buttons: ${buttons.map((b) => b.actionId).join(', ')})`);
    return button;
  };

  const driver: SlackDriver = {
    slack,
    async command(user, channel, command, text) {
      const responseUrl = slack.newResponseUrl(user, channel);
      const body = {
        token: 'legacy-verification-token',
        team_id: slack.teamId,
        team_domain: team.domain,
        channel_id: channel,
        channel_name: channelNameOf(slack, channel),
        user_id: user,
        user_name: slack.users.get(user)?.name ?? user,
        command,
        text,
        api_app_id: appId,
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: slack.newTriggerId(user, channel),
      };
      const before = new Map(slack.messages.map((m) => [m.id, m.revision]));
      const result = await transport({ kind: 'command', body });
      applyAck(result, user, channel);
      await idle();
      const messages = slack.messages.filter((m) => before.get(m.id) !== m.revision);
      return { ...result, messages, responseUrl };
    },
    async click(user, message, action) {
      const { body, responseUrl } = buildMessageClickBody(
        slack,
        user,
        message,
        findButton(message.blocks, action),
        appId,
      );
      return run({ kind: 'interaction', body }, responseUrl);
    },
    async clickInView(user, openView, action) {
      const view = openView.view;
      const button = findButton(view.blocks as unknown[] | undefined, action);
      const body: Record<string, unknown> = {
        type: 'block_actions',
        user: userOf(slack, user),
        api_app_id: appId,
        token: 'legacy-verification-token',
        container: { type: 'view', view_id: openView.id },
        trigger_id: slack.newTriggerId(user, ''),
        team,
        enterprise: null,
        is_enterprise_install: false,
        view: { ...view, id: openView.id, team_id: slack.teamId, state: { values: {} }, hash: 'h' },
        actions: [actionPayload(button)],
      };
      return run({ kind: 'interaction', body }, '');
    },
    async submitView(user, openView, values) {
      const state: Record<string, Record<string, unknown>> = {};
      const blocks = (openView.view.blocks as unknown[] | undefined) ?? [];
      for (const block of blocks) {
        const b = block as { type?: string; block_id?: string; element?: { action_id?: string; type?: string } };
        if (b.type !== 'input' || !b.block_id || !b.element?.action_id) continue;
        const given = values[b.block_id] ?? values[b.element.action_id];
        const type = b.element.type ?? 'plain_text_input';
        let value: Record<string, unknown>;
        if (type === 'static_select' || type === 'radio_buttons') {
          value = { type, selected_option: given ? { text: { type: 'plain_text', text: given }, value: given } : null };
        } else {
          value = { type, value: given ?? null };
        }
        state[b.block_id] = { [b.element.action_id]: value };
      }
      const body = {
        type: 'view_submission',
        team,
        user: userOf(slack, user),
        api_app_id: appId,
        token: 'legacy-verification-token',
        trigger_id: slack.newTriggerId(user, openView.channel),
        view: {
          ...openView.view,
          id: openView.id,
          team_id: slack.teamId,
          state: { values: state },
          hash: 'h',
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      const result = await run({ kind: 'interaction', body }, '');
      const ack = result.ack as
        | { response_action?: string; errors?: Record<string, string>; view?: unknown }
        | undefined;
      if (ack?.response_action === 'errors') return { ...result, errors: ack.errors ?? {} };
      if (ack?.response_action === 'update' && ack.view && typeof ack.view === 'object') {
        openView.view = { ...(ack.view as Record<string, unknown>), id: openView.id };
      } else {
        openView.open = false;
      }
      return result;
    },
    async closeView(user, openView) {
      openView.open = false;
      const body = {
        type: 'view_closed',
        team,
        user: userOf(slack, user),
        api_app_id: appId,
        token: 'legacy-verification-token',
        view: { ...openView.view, id: openView.id, team_id: slack.teamId, state: { values: {} }, hash: 'h' },
        is_cleared: false,
      };
      return run({ kind: 'interaction', body }, '');
    },
    async openHome(user) {
      const body = {
        token: 'legacy-verification-token',
        team_id: slack.teamId,
        api_app_id: appId,
        event: {
          type: 'app_home_opened',
          user,
          channel: `D${user.slice(1)}`,
          tab: 'home',
          event_ts: `${Date.now() / 1000}`,
        },
        type: 'event_callback',
        event_id: `Ev${crypto.randomBytes(5).toString('hex').toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: slack.teamId, user_id: 'U0CARDBOT', is_bot: true }],
      };
      return run({ kind: 'event', body }, '');
    },
    openViewOf(user) {
      return [...slack.views].reverse().find((v) => v.user === user && v.open);
    },
    deliverRaw: transport,
  };
  return driver;
}
