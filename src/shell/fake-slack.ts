import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-process stand-in for Slack, for `npm run shell` and the tests: a loopback HTTP server
 * that answers the Web API methods cardops uses (form-encoded, as the Web API client posts
 * them), receives response_url posts and file uploads, and builds the request bodies Slack
 * would send to the app. It keeps what a person in Slack would see: messages, with who can
 * see them, modals and Home tabs.
 */

export interface FakeChannel {
  id: string;
  name: string;
  /** The bot was invited; chat.postMessage elsewhere answers not_in_channel. */
  botMember: boolean;
}

export interface FakeUser {
  id: string;
  name: string;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
}

export type Visibility = 'public' | 'ephemeral';

export interface SlackMessage {
  /** A stable number for the shell ("press 2.1"). */
  id: number;
  channel: string;
  ts: string;
  visibility: Visibility;
  /** For ephemeral messages: the only person who sees it. */
  to: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  via: 'ack' | 'response_url' | 'chat.postMessage' | 'chat.postEphemeral' | 'files.completeUploadExternal';
  /** Set when a later post replaced this message; the message shows the new content. */
  revision: number;
  /** A person who posted it (postAs); undefined for the bot's own messages. */
  user?: string;
  /** Where clicking this message's buttons sends their response_url. */
  files?: { id: string; title: string; content: Buffer }[];
}

export interface ResponseUrlPost {
  url: string;
  body: Record<string, unknown>;
  /** Who asked, in which channel; an ephemeral post is seen by this user only. */
  user: string;
  channel: string;
}

export interface OpenView {
  id: string;
  user: string;
  view: Record<string, unknown>;
  /** The channel the modal was opened from, as the shell tracks it. */
  channel: string;
  open: boolean;
}

export interface InjectedFailure {
  error: string;
  /** HTTP status; 429 with retryAfter for rate limits. */
  status?: number;
  retryAfter?: number;
  /** How many calls fail; default 1. */
  times?: number;
}

interface ResponseUrlState {
  user: string;
  channel: string;
  uses: number;
  createdAt: number;
  /** The message an interaction came from, which replace_original replaces. */
  sourceMessage: SlackMessage | undefined;
  /** Force an HTTP status for tests of a dead response_url. */
  status?: number;
}

export interface FakeSlackOptions {
  teamId?: string;
  botToken?: string;
  botUserId?: string;
  channels?: FakeChannel[];
  users?: FakeUser[];
  usergroups?: Record<string, string[]>;
  now?: () => number;
}

export interface FakeSlack {
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly teamId: string;
  readonly calls: RecordedCall[];
  readonly messages: SlackMessage[];
  readonly responsePosts: ResponseUrlPost[];
  readonly views: OpenView[];
  readonly homeTabs: Map<string, Record<string, unknown>>;
  readonly uploads: Map<string, Buffer>;
  readonly channels: Map<string, FakeChannel>;
  readonly users: Map<string, FakeUser>;
  usergroups: Record<string, string[]>;
  /** Makes the next call(s) of a Web API method fail as Slack would. */
  fail(method: string, failure: InjectedFailure): void;
  /** A new response_url for a request by this user in this channel. */
  newResponseUrl(user: string, channel: string, sourceMessage?: SlackMessage): string;
  /** Makes a response_url answer this HTTP status from now on. */
  breakResponseUrl(url: string, status: number): void;
  /** A trigger_id for an interaction by this user in this channel; it lives 3 s and works once. */
  newTriggerId(user: string, channel: string): string;
  /**
   * Methods called with the app-level token (xapp-…), such as `apps.connections.open` for Socket
   * Mode: unset by default. As Slack does, a bot token gets `not_allowed_token_type` there and any
   * other token `invalid_auth`.
   */
  appLevel:
    | { token: string; methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> }
    | undefined;
  /** Every acknowledgement body the app sent, for the leak test. */
  readonly acks: unknown[];
  /** Shows an acknowledgement that carried a message, as Slack does: ephemeral to the asker. */
  showAck(user: string, channel: string, text: string, blocks: unknown[] | undefined): SlackMessage;
  /** Messages the given user can see in a channel, oldest first. */
  visibleTo(user: string, channel: string): SlackMessage[];
  /** A message a person posts in a channel (anyone may write in a channel the bot reads). */
  postAs(user: string, channel: string, text: string): SlackMessage;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'files', 'metadata']);

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const now = options.now ?? Date.now;
  const teamId = options.teamId ?? 'T0CARDOPS';
  const botToken = options.botToken ?? 'xoxb-fake-bot-token';
  const botUserId = options.botUserId ?? 'U0CARDBOT';
  const channels = new Map((options.channels ?? []).map((c) => [c.id, { ...c }]));
  const users = new Map((options.users ?? []).map((u) => [u.id, { ...u }]));
  const calls: RecordedCall[] = [];
  const messages: SlackMessage[] = [];
  const responsePosts: ResponseUrlPost[] = [];
  const views: OpenView[] = [];
  const homeTabs = new Map<string, Record<string, unknown>>();
  const uploads = new Map<string, Buffer>();
  const failures = new Map<string, InjectedFailure[]>();
  const responseUrls = new Map<string, ResponseUrlState>();
  const triggers = new Map<string, { at: number; user: string; channel: string }>();
  const pendingUploads = new Map<string, { filename: string; length: number }>();
  let seq = 0;
  let tsCounter = 0;
  let baseUrl = '';

  const nextTs = () => {
    tsCounter += 1;
    return `${Math.floor(now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
  };

  const addMessage = (m: Omit<SlackMessage, 'id' | 'ts' | 'revision'> & { ts?: string }): SlackMessage => {
    seq += 1;
    const message: SlackMessage = { ...m, id: seq, ts: m.ts ?? nextTs(), revision: 0 };
    messages.push(message);
    return message;
  };

  const replaceMessage = (message: SlackMessage, text: string, blocks: unknown[] | undefined) => {
    message.text = text;
    message.blocks = blocks;
    message.revision += 1;
  };

  const fake: FakeSlack = {
    get apiUrl() {
      return `${baseUrl}/api/`;
    },
    get baseUrl() {
      return baseUrl;
    },
    teamId,
    calls,
    messages,
    responsePosts,
    views,
    homeTabs,
    uploads,
    channels,
    users,
    usergroups: { ...(options.usergroups ?? {}) },
    fail(method, failure) {
      const list = failures.get(method) ?? [];
      list.push({ times: 1, ...failure });
      failures.set(method, list);
    },
    newResponseUrl(user, channel, sourceMessage) {
      const id = crypto.randomBytes(12).toString('hex');
      const url = `${baseUrl}/commands/${teamId}/${id}`;
      responseUrls.set(url, { user, channel, uses: 0, createdAt: now(), sourceMessage });
      return url;
    },
    breakResponseUrl(url, status) {
      const state = responseUrls.get(url);
      if (state) state.status = status;
    },
    newTriggerId(user, channel) {
      const id = `${Math.floor(now() / 1000)}.${crypto.randomInt(1e9)}.${crypto.randomBytes(8).toString('hex')}`;
      triggers.set(id, { at: now(), user, channel });
      return id;
    },
    appLevel: undefined,
    acks: [],
    showAck(user, channel, text, blocks) {
      return addMessage({ channel, visibility: 'ephemeral', to: user, text, blocks, via: 'ack' });
    },
    visibleTo(user, channel) {
      return messages.filter((m) => m.channel === channel && (m.visibility === 'public' || m.to === user));
    },
    postAs(user, channel, text) {
      return addMessage({
        channel,
        visibility: 'public',
        to: undefined,
        text,
        blocks: undefined,
        via: 'chat.postMessage',
        user,
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const takeFailure = (method: string): InjectedFailure | undefined => {
    const list = failures.get(method);
    const failure = list?.[0];
    if (!list || !failure) return undefined;
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) list.shift();
    return failure;
  };

  const isMember = (channel: string) => channel.startsWith('D') || channels.get(channel)?.botMember === true;

  type Answer = Record<string, unknown>;
  const methods: Record<string, (args: Record<string, unknown>) => Answer> = {
    'auth.test': () => ({ ok: true, user_id: botUserId, team_id: teamId, bot_id: 'B0CARDBOT', user: 'cardops' }),
    'chat.postMessage': (args) => {
      const channel = String(args.channel ?? '');
      if (!channel.startsWith('D') && !channels.has(channel)) return { ok: false, error: 'channel_not_found' };
      if (!isMember(channel)) return { ok: false, error: 'not_in_channel' };
      const m = addMessage({
        channel,
        visibility: 'public',
        to: undefined,
        text: String(args.text ?? ''),
        blocks: asArray(args.blocks),
        via: 'chat.postMessage',
      });
      return { ok: true, channel, ts: m.ts, message: { text: m.text, blocks: m.blocks } };
    },
    'chat.postEphemeral': (args) => {
      const channel = String(args.channel ?? '');
      if (!channel.startsWith('D') && !channels.has(channel)) return { ok: false, error: 'channel_not_found' };
      if (!isMember(channel)) return { ok: false, error: 'not_in_channel' };
      const m = addMessage({
        channel,
        visibility: 'ephemeral',
        to: String(args.user ?? ''),
        text: String(args.text ?? ''),
        blocks: asArray(args.blocks),
        via: 'chat.postEphemeral',
      });
      return { ok: true, message_ts: m.ts };
    },
    'chat.update': (args) => {
      const m = messages.find((x) => x.channel === args.channel && x.ts === args.ts && x.visibility === 'public');
      if (!m) return { ok: false, error: 'message_not_found' };
      replaceMessage(m, String(args.text ?? ''), asArray(args.blocks));
      return { ok: true, channel: m.channel, ts: m.ts };
    },
    'conversations.open': (args) => {
      const user = String(args.users ?? '').split(',')[0] ?? '';
      if (!user) return { ok: false, error: 'users_list_not_supplied' };
      return { ok: true, channel: { id: `D${user.slice(1)}` } };
    },
    // Public messages of a channel, newest first, paged by an opaque cursor, as Slack answers it.
    'conversations.history': (args) => {
      const channel = String(args.channel ?? '');
      if (!channel.startsWith('D') && !channels.has(channel)) return { ok: false, error: 'channel_not_found' };
      if (!isMember(channel)) return { ok: false, error: 'not_in_channel' };
      const limit = Math.max(1, Math.min(999, Number(args.limit ?? 100) || 100));
      const offset = Number(Buffer.from(String(args.cursor ?? ''), 'base64url').toString() || '0') || 0;
      const all = messages.filter((m) => m.channel === channel && m.visibility === 'public').reverse();
      const page = all.slice(offset, offset + limit);
      const more = offset + limit < all.length;
      return {
        ok: true,
        messages: page.map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(m.user ? { user: m.user } : {}) })),
        has_more: more,
        response_metadata: { next_cursor: more ? Buffer.from(String(offset + limit)).toString('base64url') : '' },
      };
    },
    'conversations.info': (args) => {
      const ch = channels.get(String(args.channel));
      if (!ch) return { ok: false, error: 'channel_not_found' };
      return { ok: true, channel: { id: ch.id, name: ch.name, is_member: ch.botMember } };
    },
    'users.info': (args) => {
      const u = users.get(String(args.user));
      if (!u) return { ok: false, error: 'user_not_found' };
      return { ok: true, user: { id: u.id, name: u.name, real_name: u.name } };
    },
    'usergroups.users.list': (args) => {
      const group = String(args.usergroup ?? '');
      const members = fake.usergroups[group];
      if (!members) return { ok: false, error: 'no_such_subteam' };
      return { ok: true, users: members };
    },
    'views.open': (args) => {
      const trigger = String(args.trigger_id ?? '');
      const issued = triggers.get(trigger);
      if (issued === undefined) return { ok: false, error: 'invalid_trigger_id' };
      triggers.delete(trigger);
      if (now() - issued.at > 3000) return { ok: false, error: 'expired_trigger_id' };
      const view = asObject(args.view);
      if (!view) return { ok: false, error: 'invalid_arguments' };
      const id = `V${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
      const open: OpenView = { id, user: issued.user, view: { ...view, id }, channel: issued.channel, open: true };
      views.push(open);
      return { ok: true, view: { ...view, id } };
    },
    'views.update': (args) => {
      const open = views.find((v) => v.id === args.view_id && v.open);
      const view = asObject(args.view);
      if (!open || !view) return { ok: false, error: 'not_found' };
      open.view = { ...view, id: open.id };
      return { ok: true, view: open.view };
    },
    'views.publish': (args) => {
      const view = asObject(args.view);
      if (!view) return { ok: false, error: 'invalid_arguments' };
      homeTabs.set(String(args.user_id), view);
      return { ok: true, view };
    },
    'files.getUploadURLExternal': (args) => {
      const id = `F${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
      pendingUploads.set(id, { filename: String(args.filename ?? 'file'), length: Number(args.length ?? 0) });
      return { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (args) => {
      const list = asArray(args.files) ?? [];
      const files: { id: string; title: string; content: Buffer }[] = [];
      for (const entry of list) {
        const f = asObject(entry);
        const id = String(f?.id ?? '');
        const content = uploads.get(id);
        if (!content) return { ok: false, error: 'file_not_found' };
        files.push({ id, title: String(f?.title ?? pendingUploads.get(id)?.filename ?? id), content });
      }
      const channel = String(args.channel_id ?? '');
      if (channel) {
        if (!isMember(channel)) return { ok: false, error: 'not_in_channel' };
        addMessage({
          channel,
          visibility: 'public',
          to: undefined,
          text: String(args.initial_comment ?? ''),
          blocks: undefined,
          via: 'files.completeUploadExternal',
          files,
        });
      }
      return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
    },
  };

  const handleApi = (method: string, args: Record<string, unknown>, token: string | undefined, res: Res) => {
    calls.push({ method, args, token });
    const failure = takeFailure(method);
    if (failure) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      res.writeHead(failure.status ?? 200, headers);
      res.end(JSON.stringify({ ok: false, error: failure.error }));
      return;
    }
    const appMethod = fake.appLevel?.methods[method];
    if (appMethod) {
      if (token === botToken) return sendJson(res, 200, { ok: false, error: 'not_allowed_token_type' });
      if (token !== fake.appLevel?.token) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
      return sendJson(res, 200, appMethod(args));
    }
    if (token !== botToken) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
    const handler = methods[method];
    if (!handler) return sendJson(res, 200, { ok: false, error: 'unknown_method' });
    return sendJson(res, 200, handler(args));
  };

  const handleResponseUrl = (url: string, body: Record<string, unknown>, res: Res) => {
    const state = responseUrls.get(url);
    if (!state) return sendText(res, 404, 'no_url');
    if (state.status) return sendText(res, state.status, 'broken');
    if (state.uses >= 5 || now() - state.createdAt > 30 * 60_000) return sendText(res, 404, 'used_url');
    state.uses += 1;
    responsePosts.push({ url, body, user: state.user, channel: state.channel });
    const text = String(body.text ?? '');
    const blocks = asArray(body.blocks);
    const source = state.sourceMessage;
    if (body.delete_original === true && source) {
      replaceMessage(source, '(deleted)', undefined);
    } else if (body.replace_original === true && source) {
      replaceMessage(source, text, blocks);
    } else {
      const inChannel = body.response_type === 'in_channel';
      addMessage({
        channel: state.channel,
        visibility: inChannel ? 'public' : 'ephemeral',
        to: inChannel ? undefined : state.user,
        text,
        blocks,
        via: 'response_url',
      });
    }
    return sendText(res, 200, 'ok');
  };

  type Res = http.ServerResponse;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      try {
        if (path.startsWith('/api/')) {
          const method = path.slice('/api/'.length);
          const args = parseArgs(raw.toString('utf8'), String(req.headers['content-type'] ?? ''));
          const auth = String(req.headers.authorization ?? '');
          const token = auth.startsWith('Bearer ')
            ? auth.slice(7)
            : typeof args.token === 'string'
              ? args.token
              : undefined;
          handleApi(method, args, token, res);
          return;
        }
        if (path.startsWith('/commands/')) {
          const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
          handleResponseUrl(`${baseUrl}${path}`, body, res);
          return;
        }
        if (path.startsWith('/upload/')) {
          const id = path.slice('/upload/'.length);
          uploads.set(id, extractUpload(raw, String(req.headers['content-type'] ?? '')));
          sendText(res, 200, `OK - ${raw.length}`);
          return;
        }
        sendText(res, 404, 'not found');
      } catch (error) {
        sendText(res, 400, `bad request: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
  const params = new URLSearchParams(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON: keep the text, as Slack would reject it later.
      }
    }
    args[key] = value;
  }
  return args;
}

/** The Web API client posts the bytes as multipart form data or raw; keep the file's bytes. */
function extractUpload(raw: Buffer, contentType: string): Buffer {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return raw;
  const text = raw.toString('latin1');
  const start = text.indexOf('\r\n\r\n');
  const end = text.lastIndexOf(`\r\n--${boundary}`);
  if (start < 0 || end < 0) return raw;
  return Buffer.from(text.slice(start + 4, end), 'latin1');
}

function asArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}
