import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeSlack } from '../../src/shell/fake-slack.js';
import type { SocketModeStandIn } from '../../src/shell/offline-bot.js';
import { type Delivery, type DeliveryResult, encodeDelivery, type Transport } from '../../src/shell/slack-driver.js';

/**
 * Slack's side of Socket Mode, on a real WebSocket server on loopback: `apps.connections.open`
 * (served by the fake Slack, with the app-level token) answers this server's `ws://` URL; a new
 * connection gets `hello`; deliveries go out as `slash_commands`, `interactive` and `events_api`
 * envelopes, and each must come back acknowledged (a frame carrying its `envelope_id`) within 3 s,
 * as Slack requires. An `events_api` envelope not acknowledged when its connection closes is sent
 * again on the next one with `retry_attempt` raised, as Slack redelivers events (slash commands and
 * interactions are not redelivered: the user sees a timeout).
 */

export const ACK_DEADLINE_MS = 3_000;

interface Pending {
  envelope: Record<string, unknown>;
  resolve(result: DeliveryResult): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
  /** The connection it was last sent on. */
  socket: WebSocket | undefined;
}

export interface FakeSocketMode extends SocketModeStandIn {
  /** Sockets opened so far (a reconnect adds one). */
  readonly connections: number;
  /** Every ack frame received, in order. */
  readonly acks: Array<{ envelope_id: string; payload?: unknown }>;
  /** Envelopes sent, including redeliveries. */
  readonly sent: Array<Record<string, unknown>>;
  /**
   * Sends `{type: 'disconnect', reason}` on the open connection, as Slack does before recycling it;
   * from then on acks on that connection are dropped, so unacknowledged events are redelivered.
   */
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  /** Acks that arrived on a connection already told to disconnect, and were dropped. */
  readonly lostAcks: number;
  /** Sends an envelope and a disconnect frame in one go; its ack on the old connection is lost. */
  deliverThenDisconnect(delivery: Delivery, reason: 'refresh_requested' | 'warning'): Promise<DeliveryResult>;
  /** Resolves once `count` connections have received their hello. */
  connected(count?: number): Promise<void>;
  /** Ack frames that named no envelope sent, or came twice (must stay empty). */
  readonly strayAcks: unknown[];
}

export async function startFakeSocketMode(appToken = 'xapp-1-A0CARDOPS-fake-app-token'): Promise<FakeSocketMode> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`;
  const pending = new Map<string, Pending>();
  const acks: Array<{ envelope_id: string; payload?: unknown }> = [];
  const strayAcks: unknown[] = [];
  const sent: Array<Record<string, unknown>> = [];
  const hellos: Array<() => void> = [];
  let helloCount = 0;
  let current: WebSocket | undefined;
  /** Connections told to disconnect: an ack arriving on one is lost, as when Slack drops it. */
  const draining = new WeakSet<WebSocket>();
  let lostAcks = 0;
  let connections = 0;

  const send = (item: Pending) => {
    if (!current || current.readyState !== current.OPEN) return; // sent on the next connection
    item.socket = current;
    sent.push(item.envelope);
    current.send(JSON.stringify(item.envelope));
    if (!item.timer) {
      const id = String(item.envelope.envelope_id);
      item.timer = setTimeout(() => {
        pending.delete(id);
        item.reject(new Error(`envelope ${id} (${String(item.envelope.type)}) not acknowledged within 3 s`));
      }, ACK_DEADLINE_MS);
    }
  };

  server.on('connection', (socket) => {
    connections += 1;
    current = socket;
    socket.on('message', (data) => {
      let frame: { envelope_id?: unknown; payload?: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        strayAcks.push(String(data));
        return;
      }
      const id = typeof frame.envelope_id === 'string' ? frame.envelope_id : '';
      if (draining.has(socket)) {
        lostAcks += 1;
        return;
      }
      const item = pending.get(id);
      if (!item) {
        strayAcks.push(frame);
        return;
      }
      pending.delete(id);
      clearTimeout(item.timer);
      acks.push({ envelope_id: id, payload: frame.payload });
      const payload = frame.payload as Record<string, unknown> | undefined;
      const empty = payload === undefined || Object.keys(payload).length === 0;
      item.resolve({ status: 200, ack: empty ? undefined : payload });
    });
    socket.on('close', () => {
      if (current === socket) current = undefined;
      // Slack redelivers an unacknowledged event on the next connection; commands and actions it drops.
      for (const [id, item] of pending) {
        if (item.socket !== socket) continue;
        if (item.envelope.type === 'events_api') {
          item.envelope = { ...item.envelope, retry_attempt: Number(item.envelope.retry_attempt ?? 0) + 1 };
          item.envelope.retry_reason = 'timeout';
          item.socket = undefined;
          // A new 3 s deadline starts when it is sent again.
          clearTimeout(item.timer);
          item.timer = undefined;
        } else {
          pending.delete(id);
          clearTimeout(item.timer);
          item.reject(new Error(`connection closed before envelope ${id} was acknowledged`));
        }
      }
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake-socket-mode', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0CARDOPS' },
      }),
    );
    helloCount += 1;
    for (const wake of hellos.splice(0)) wake();
    // Deliveries waiting for a connection (redeliveries included) go out now.
    for (const item of pending.values()) if (!item.socket) send(item);
  });

  const envelopeOf = (delivery: Delivery): Record<string, unknown> => {
    const envelope_id = crypto.randomUUID();
    if (delivery.kind === 'command') {
      // Socket Mode carries the command's form fields as a JSON object.
      const form = Object.fromEntries(new URLSearchParams(encodeDelivery(delivery).raw));
      return { envelope_id, type: 'slash_commands', payload: form, accepts_response_payload: true };
    }
    if (delivery.kind === 'interaction') {
      return { envelope_id, type: 'interactive', payload: delivery.body, accepts_response_payload: true };
    }
    return {
      envelope_id,
      type: 'events_api',
      payload: delivery.body,
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    };
  };

  const deliver = (delivery: Delivery, after?: () => void): Promise<DeliveryResult> =>
    new Promise<DeliveryResult>((resolve, reject) => {
      const envelope = envelopeOf(delivery);
      const item: Pending = { envelope, resolve, reject, timer: undefined, socket: undefined };
      pending.set(String(envelope.envelope_id), item);
      send(item);
      after?.();
    });

  const transport: Transport = (delivery) => deliver(delivery);

  const fake: FakeSocketMode = {
    appToken,
    async attach(slack: FakeSlack) {
      slack.appLevel = { token: appToken, methods: { 'apps.connections.open': () => ({ ok: true, url }) } };
      return {
        transport,
        close: async () => {
          for (const item of pending.values()) clearTimeout(item.timer);
          for (const client of server.clients) client.terminate();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
    get connections() {
      return connections;
    },
    acks,
    sent,
    strayAcks,
    get lostAcks() {
      return lostAcks;
    },
    disconnect(reason) {
      if (current) draining.add(current);
      current?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-socket-mode' } }));
    },
    deliverThenDisconnect(delivery, reason) {
      return deliver(delivery, () => fake.disconnect(reason));
    },
    connected(count = 1) {
      if (helloCount >= count) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const check = () => (helloCount >= count ? resolve() : hellos.push(check));
        hellos.push(check);
      });
    },
  };
  return fake;
}
