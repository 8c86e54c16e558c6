import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CARD_OPS } from '../domain/ops.js';
import type { Policy } from '../domain/policy/policy-schema.js';
import { DEMO_CARDS } from '../sandbox/demo-cards.js';
import type { SandboxCardState } from '../sandbox/server.js';
import type { OpenView, SlackMessage } from './fake-slack.js';
import { DEMO_CHANNELS, DEMO_USERS, type OfflineBot } from './offline-bot.js';
import {
  buttonsIn,
  channelLabel,
  checkAnswer,
  type Directory,
  describeField,
  dmOwner,
  type FileShown,
  type InputField,
  inputFieldsOf,
  renderButtons,
  renderMessage,
  renderMrkdwn,
  renderView,
  type ShellButton,
  userLabel,
  visibilityOf,
} from './render.js';
import { INTERRUPTED, type ShellIO } from './shell-io.js';
import { formatDuration, parseWait, type SimClock } from './sim-clock.js';

/**
 * `npm run shell`: one person at a terminal plays every user of the workspace. They type slash
 * commands as the current user in the current channel, press the buttons the app posts, fill its
 * modals field by field, and read every message with who can see it. The shell knows nothing of
 * cardops' features: it shows whatever messages, modals and Home tabs the app produces, and
 * messages the app replaces later (a hidden secret, a decided approval) are shown again.
 */

export interface ShellOptions {
  provider: 'sovera' | 'paycaddy' | 'sandbox';
  /** Where files the stand-in for Slack received are saved; a new temporary folder by default. */
  filesDir?: string;
  /** The longest `wait`, in seconds. */
  maxWaitSeconds?: number;
  /** The bot's simulated clock: `wait` jumps it. Without one, `wait` lets real time pass. */
  clock?: SimClock;
  /** The policy file as the person named it (the banner says which policy is in force). */
  policyLabel?: string;
  /** How often a terminal session looks for background changes while the prompt waits. */
  pollMs?: number;
}

export interface Shell {
  /** What the shell is, who is who, what is allowed where, the demo cards. */
  banner(): string;
  prompt(): string;
  /** Runs one command line; `quit` when the person asked to leave. */
  execute(line: string): Promise<'quit' | undefined>;
  /** Reads and runs commands until the input ends or `quit`. */
  run(): Promise<void>;
  /** Cuts a `wait` short (the process is asked to stop). */
  interrupt(): void;
  /** Prints messages created or replaced since last shown; true when something was printed. */
  flush(): boolean;
  readonly userId: string;
  readonly channelId: string;
}

/** Where a button is on screen: a message, someone's Home tab, someone's modal. */
type Place =
  | { kind: 'message'; message: SlackMessage }
  | { kind: 'home'; owner: string }
  | { kind: 'modal'; owner: string; viewId: string };

/** A number once shown for a button: it keeps meaning that button while the button is on screen. */
interface Numbered {
  place: Place;
  key: string;
}

/** Real time a `wait` may take without a simulated clock (tests); simulated, far more. */
const MAX_WAIT_SECONDS = 120;
const MAX_SIMULATED_WAIT_SECONDS = 7 * 86_400;
const SHOW_DEFAULT = 10;

const HELP = `Commands
  as <name|id>           act as someone else (users lists them)
  in <#name|id|dm>       move to another channel, or dm (your direct message with the bot)
  /card …  /card-audit … any slash command, typed as in Slack, as you, where you are
  buttons                the buttons you can see, numbered
  press <n|label>        press button n (a number keeps its button while it is on screen), or the
                         newest button you can see with that label (press Approve)
  home                   open your Home tab of the app
  show [n]               the last n messages you can see here (default ${SHOW_DEFAULT})
  modal                  show and fill your open modal;  cancel-modal  closes it
  wait <time>            jump the clock: wait 90s, wait 30m, wait 2h; whatever falls due on the way
                         happens (requests expire, reminders, revealed values hidden, limits reset)
  users | channels | cards   who is who, what is allowed where, the demo cards' state at the issuer now
  audit [n]              the last n rows of the audit log (a developer's peek; managers use /card-audit)
  help | quit            this text | leave (also exit, Ctrl-D)
In a modal, each field is asked in turn: pick options by number or value, leave optional fields
empty, type !cancel to close the modal. @name and #channel in a slash command are sent as Slack sends
a name picked from its autocomplete (<@U…|name>, <#C…|name>). Ctrl-C clears the line; twice quits.`;

export function createShell(bot: OfflineBot, io: ShellIO, options: ShellOptions): Shell {
  const { slack, driver } = bot;
  const dir: Directory = {
    users: new Map([...slack.users.values()].map((u) => [u.id, u.name])),
    channels: new Map([...slack.channels.values()].map((c) => [c.id, c.name])),
  };
  const clock = options.clock;
  const maxWait = options.maxWaitSeconds ?? (clock ? MAX_SIMULATED_WAIT_SECONDS : MAX_WAIT_SECONDS);
  let userId: string = DEMO_USERS[0].id;
  /** A channel id, or `dm`: the DM with the bot follows whoever is acting. */
  let channel = 'C0SUPPORT';
  const seen = new Map<number, number>();
  const homesSeen = new Map<string, string>();
  const numberByKey = new Map<string, number>();
  const byNumber = new Map<number, Numbered>();
  let nextNumber = 1;
  let filesDir = options.filesDir;
  const savedFiles = new Map<string, string>();
  let busy = false;
  let interrupted = false;

  const channelId = () => (channel === 'dm' ? `D${userId.slice(1)}` : channel);
  const promptText = () => `${userLabel(dir, userId)}@${channelLabel(dir, channelId())}> `;
  const say = (text: string) => io.print(text);

  // ----- button numbers ------------------------------------------------------------
  // A number is never given to another button: while its message (or Home tab, or modal) shows the
  // button, the number means it, however often the message is updated or shown again.

  const placeKey = (place: Place): string =>
    place.kind === 'message'
      ? `msg:${place.message.id}`
      : place.kind === 'home'
        ? `home:${place.owner}`
        : `modal:${place.viewId}`;

  /** What makes a button the same button: where it is, its block, action and value. */
  const keysOf = (place: Place, buttons: readonly ShellButton[]): string[] => {
    const repeats = new Map<string, number>();
    return buttons.map((b) => {
      const base = `${placeKey(place)}|${b.blockId}|${b.actionId}|${b.value ?? ''}`;
      const nth = repeats.get(base) ?? 0;
      repeats.set(base, nth + 1);
      return `${base}|${nth}`;
    });
  };

  /** The numbers of these buttons: the ones they had, new ones for buttons never shown. */
  const numberButtons = (place: Place, buttons: readonly ShellButton[]): number[] =>
    keysOf(place, buttons).map((key) => {
      let n = numberByKey.get(key);
      if (n === undefined) {
        n = nextNumber++;
        numberByKey.set(key, n);
      }
      byNumber.set(n, { place, key });
      return n;
    });

  const blocksAt = (place: Place): unknown[] | undefined => {
    if (place.kind === 'message') return place.message.blocks;
    if (place.kind === 'home') return slack.homeTabs.get(place.owner)?.blocks as unknown[] | undefined;
    const view = slack.views.find((v) => v.id === place.viewId && v.open);
    return view?.view.blocks as unknown[] | undefined;
  };

  /** The button a number means, as it is on screen now; undefined once it is gone. */
  const buttonNow = (numbered: Numbered): ShellButton | undefined => {
    const buttons = buttonsIn(blocksAt(numbered.place), dir);
    const at = keysOf(numbered.place, buttons).indexOf(numbered.key);
    return at < 0 ? undefined : buttons[at];
  };

  // ----- what changed -----------------------------------------------------------------

  const saveFile = (file: { id: string; title: string; content: Buffer }): string | undefined => {
    const known = savedFiles.get(file.id);
    if (known) return known;
    try {
      filesDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-shell-files-'));
      const safe = path.basename(file.title).replace(/[^\w.-]+/g, '_') || file.id;
      const target = path.join(filesDir, fs.existsSync(path.join(filesDir, safe)) ? `${file.id}-${safe}` : safe);
      fs.writeFileSync(target, file.content);
      savedFiles.set(file.id, target);
      return target;
    } catch {
      return undefined;
    }
  };

  const filesOf = (message: SlackMessage): FileShown[] =>
    (message.files ?? []).map((f) => ({
      title: f.title,
      size: f.content.length,
      savedPath: saveFile(f),
      content: f.content,
    }));

  /** Messages and Home tabs that appeared or changed since last shown, rendered; their buttons numbered. */
  const collectChanges = (includeHomes = true): string | undefined => {
    const parts: string[] = [];
    for (const message of slack.messages) {
      const shown = seen.get(message.id);
      if (shown === message.revision) continue;
      seen.set(message.id, message.revision);
      parts.push(showMessage(message, shown !== undefined));
    }
    if (includeHomes) {
      for (const [owner, view] of slack.homeTabs) {
        const key = JSON.stringify(view);
        const before = homesSeen.get(owner);
        if (before === key) continue;
        homesSeen.set(owner, key);
        parts.push(renderHome(owner, view, before !== undefined));
      }
    }
    return parts.length > 0 ? parts.join('\n') : undefined;
  };

  /** A message with its buttons numbered; a reply in a thread says which message it answers. */
  const showMessage = (message: SlackMessage, updated: boolean): string => {
    const numbers = numberButtons({ kind: 'message', message }, buttonsIn(message.blocks, dir));
    const text = renderMessage(message, dir, { firstButton: numbers, updated, files: filesOf(message) });
    const parent = message.threadTs
      ? slack.messages.find((m) => m.ts === message.threadTs && m.channel === message.channel)
      : undefined;
    if (!parent) return text;
    const [header = '', ...rest] = text.split('\n');
    return [`${header} in the thread of msg ${parent.id}`, ...rest].join('\n');
  };

  const renderHome = (owner: string, view: Record<string, unknown>, updated: boolean): string => {
    const heading = `[${updated ? 'updated · ' : ''}Home tab of ${userLabel(dir, owner)}]`;
    const numbers = numberButtons({ kind: 'home', owner }, buttonsIn(view.blocks as unknown[] | undefined, dir));
    return renderView(view, dir, { heading, firstButton: numbers });
  };

  const flush = (): boolean => {
    const text = collectChanges();
    if (text) say(text);
    return text !== undefined;
  };

  // ----- modals --------------------------------------------------------------------

  const closeModal = async (view: OpenView) => {
    if (view.view.notify_on_close === true) await driver.closeView(view.user, view);
    else view.open = false;
    flush();
  };

  /**
   * A script's answers that keep being refused are wrong for this modal: rather than read its next
   * commands as answers, the shell gives up after a few tries. A person may try as often as they like.
   */
  const patience = io.interactive ? Number.POSITIVE_INFINITY : 3;

  /** Asks one field until the answer is acceptable (or the person gives up, or the input ends). */
  const askField = async (field: InputField): Promise<{ value: string | undefined } | 'cancel' | 'give-up' | 'eof'> => {
    say(
      describeField(field)
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    for (let tries = 1; ; tries++) {
      const answer = await io.ask(`  ${field.label}: `, { secret: field.secret, kind: 'field' });
      if (answer === undefined) return 'eof';
      if (answer === INTERRUPTED || answer.trim() === '!cancel') return 'cancel';
      const checked = checkAnswer(field, answer);
      if (!('problem' in checked)) return checked;
      say(`  ! ${checked.problem}`);
      if (tries >= patience) return 'give-up';
    }
  };

  const abandon = async (view: OpenView, why: 'cancel' | 'give-up') => {
    await closeModal(view);
    say(why === 'cancel' ? '  (modal closed)' : `  (modal closed: the answers were refused ${patience} times)`);
  };

  /** Fills a modal field by field and submits it; field errors are asked again, a replaced modal filled anew. */
  const fillModal = async (view: OpenView): Promise<'done' | 'cancelled' | 'eof'> => {
    let toAsk: InputField[] | undefined;
    let values: Record<string, string> = {};
    let refusals = 0;
    for (let round = 0; round < 20; round++) {
      const fields = inputFieldsOf(view.view, dir);
      if (toAsk === undefined) {
        const numbers = numberButtons(
          { kind: 'modal', owner: view.user, viewId: view.id },
          buttonsIn(view.view.blocks as unknown[] | undefined, dir),
        );
        say(
          renderView(view.view, dir, {
            heading: `[modal for ${userLabel(dir, view.user)}]`,
            firstButton: numbers,
            inputs: false,
          }),
        );
        toAsk = fields;
        values = {};
      }
      if (view.view.submit === undefined && fields.length === 0) {
        say('  (this modal has nothing to submit: `cancel-modal` closes it)');
        return 'done';
      }
      for (const field of toAsk) {
        const answer = await askField(field);
        if (answer === 'eof') return 'eof';
        if (answer === 'cancel' || answer === 'give-up') {
          await abandon(view, answer);
          return 'cancelled';
        }
        if (answer.value === undefined) delete values[field.blockId];
        else values[field.blockId] = answer.value;
      }
      if (fields.length === 0) {
        const go = await io.ask('  Enter submits, !cancel closes: ', { kind: 'field' });
        if (go === undefined) return 'eof';
        if (go === INTERRUPTED || go.trim() === '!cancel') {
          await abandon(view, 'cancel');
          return 'cancelled';
        }
      }
      const before = JSON.stringify(view.view);
      const result = await driver.submitView(view.user, view, values);
      flush();
      if (result.errors) {
        const byBlock = new Map(fields.map((f) => [f.blockId, f]));
        say('  The app sent the form back:');
        for (const [blockId, problem] of Object.entries(result.errors)) {
          say(`  ! ${byBlock.get(blockId)?.label ?? blockId}: ${renderMrkdwn(problem, dir)}`);
        }
        refusals += 1;
        if (refusals >= patience) {
          await abandon(view, 'give-up');
          return 'cancelled';
        }
        const again = fields.filter((f) => f.blockId in (result.errors ?? {}));
        toAsk = again.length > 0 ? again : fields;
        continue;
      }
      if (result.status !== 200)
        say('  (the app did not acknowledge the submission: Slack would keep the modal open with an error)');
      if (view.open && JSON.stringify(view.view) !== before) {
        say('  The app replaced the modal:');
        toAsk = undefined;
        continue;
      }
      return 'done';
    }
    say('  (the modal keeps coming back; leaving it open: `modal` to try again, `cancel-modal` to close it)');
    return 'done';
  };

  /** After anything the person did: show what changed, then fill any modal that opened for them. */
  const afterAction = async (): Promise<'eof' | undefined> => {
    const printed = flush();
    const handled = new Set<string>();
    let filled = false;
    for (;;) {
      const view = driver.openViewOf(userId);
      if (!view || handled.has(view.id)) break;
      handled.add(view.id);
      filled = true;
      if ((await fillModal(view)) === 'eof') return 'eof';
    }
    if (!printed && !filled) say('(nothing visible happened)');
    return undefined;
  };

  // ----- commands ----------------------------------------------------------------

  const findUser = (text: string): string | undefined => {
    const t = text.replace(/^@/, '').trim();
    const lower = t.toLowerCase();
    for (const user of slack.users.values()) {
      if (user.id === t.toUpperCase() || user.name.toLowerCase() === lower) return user.id;
    }
    return /^[UW][A-Z0-9]{2,}$/.test(t) ? t : undefined;
  };

  const findChannel = (text: string): string | undefined => {
    const t = text.trim();
    const lower = t.replace(/^#/, '').toLowerCase();
    if (lower === 'dm') return 'dm';
    for (const ch of slack.channels.values()) {
      if (ch.id === t.toUpperCase() || ch.name.toLowerCase() === lower) return ch.id;
    }
    return /^[CG][A-Z0-9]{2,}$/.test(t) ? t : undefined;
  };

  /**
   * `@alice` and `#support` as Slack sends them once picked from its autocomplete in a command whose
   * escaping is on (manifest.yml: should_escape): `<@U0AGENT01|alice>`, `<#C0SUPPORT|support>`.
   * Names nobody has are sent as typed, as Slack does.
   */
  const escapeMentions = (text: string): string =>
    text.replace(/(^|[\s:(,])([@#])([\w.-]*[\w])/g, (whole, before: string, sigil: string, name: string) => {
      const lower = name.toLowerCase();
      if (sigil === '@') {
        const user = [...slack.users.values()].find((u) => u.name.toLowerCase() === lower);
        return user ? `${before}<@${user.id}|${user.name}>` : whole;
      }
      const found = [...slack.channels.values()].find((c) => c.name.toLowerCase() === lower);
      return found ? `${before}<#${found.id}|${found.name}>` : whole;
    });

  /** The roles the policy in force gives someone, directly or through a user group of the stand-in Slack. */
  const aboutUser = (id: string): string => {
    const roles = Object.entries(policy().roles).flatMap(([role, holders]) => {
      if (holders.users.includes(id)) return [role];
      const group = holders.usergroups.find((g) => slack.usergroups[g]?.includes(id));
      return group ? [`${role} through the user group ${group}`] : [];
    });
    return roles.length > 0 ? roles.join(', ') : 'no role at all';
  };

  const policy = (): Policy => bot.bot.deps.policy.current();

  const allowedIn = (key: string): string => {
    const p = policy();
    const ops = p.channels[key];
    const parts: string[] = [];
    if (ops === undefined || ops.length === 0) parts.push('no /card operations');
    else if (ops.includes('*')) parts.push('every operation');
    else parts.push(ops.join(', '));
    if (p.approvals.cancel?.channel === key) parts.push('cancel approvals are posted here');
    return parts.join('; ');
  };

  const usersTable = () =>
    [...slack.users.values()]
      .map((u) => `  ${u.id === userId ? '*' : ' '} ${u.name.padEnd(9)} ${u.id.padEnd(10)} ${aboutUser(u.id)}`)
      .join('\n');

  const channelsTable = () => {
    const rows = [...slack.channels.values()].map((c) => {
      const marker = c.id === channelId() ? '*' : ' ';
      const member = c.botMember ? 'bot is a member' : 'bot is NOT a member';
      return `  ${marker} ${`#${c.name}`.padEnd(16)} ${c.id.padEnd(10)} ${member.padEnd(20)} ${allowedIn(c.id)}`;
    });
    const dmMarker = channel === 'dm' ? '*' : ' ';
    rows.push(`  ${dmMarker} ${'dm'.padEnd(16)} ${'D…'.padEnd(10)} ${'with the bot'.padEnd(20)} ${allowedIn('dm')}`);
    return rows.join('\n');
  };

  /** A demo card as the issuer holds it now: its state, and what that lets you try. */
  const liveState = (state: SandboxCardState, fault: string | undefined): string => {
    const parts: string[] = [];
    if (state.status === 'pendingAck')
      parts.push(state.printed ? 'printed: can be activated' : 'not printed yet: activation refused');
    if (state.status === 'cancelled') parts.push('final');
    if (state.pinBlocked) parts.push('PIN blocked (try unblock-pin)');
    if (state.limit !== null) parts.push(`internal limit ${state.limit}`);
    if (fault) parts.push(fault);
    return `${state.status.padEnd(11)} ${parts.join(', ')}`.trimEnd();
  };

  const cardsTable = (): string => {
    const sandbox = bot.sandbox;
    if (!sandbox) return "  (the issuer is not the embedded sandbox: ask it for its cards' state)";
    return DEMO_CARDS.map((card) => {
      const state = sandbox.card(card.id);
      // A fault card's misbehaviour is what it is for, not a state the issuer reports.
      const fault = card.fault ? card.note.slice(card.note.indexOf('fault:')) : undefined;
      return `  ${card.id.padEnd(24)} ${state ? liveState(state, fault) : 'unknown to the issuer'}`;
    }).join('\n');
  };

  const dialect =
    options.provider === 'paycaddy'
      ? 'PayCaddy v1 dialect (--provider sovera for the other)'
      : options.provider === 'sovera'
        ? 'Sovera v2 dialect alone, without limits (--provider paycaddy for the other)'
        : 'Sovera v2 dialect with limits, as npm start with CARD_API_PROVIDER=sandbox (--provider sovera or paycaddy for one dialect alone)';

  const timeLine = () => {
    const ttl = policy().approvals.cancel?.ttlMs;
    const expiry =
      ttl === undefined ? 'no cancel approvals in this policy' : `cancel requests wait ${formatDuration(ttl)}`;
    return clock
      ? `Time: simulated (${expiry}); \`wait 30m\` jumps it and whatever falls due happens.`
      : `Time: the wall clock (${expiry}).`;
  };

  const banner = () =>
    [
      'cardops offline shell: the real bot, a stand-in for Slack and the sandbox issuer, in your terminal.',
      `Issuer: the embedded sandbox, spoken to in the ${dialect}. Demo cards only.`,
      `Policy: ${options.policyLabel ?? 'policy.example.yml'}. Database: a temporary SQLite file, deleted when you leave.`,
      timeLine(),
      '',
      'People',
      usersTable(),
      '',
      'Channels (what /card may do there)',
      channelsTable(),
      '',
      'Demo cards (their state at the issuer now)',
      cardsTable(),
      '',
      `You are ${userLabel(dir, userId)} in ${channelLabel(dir, channelId())}. Try: /card help   ·   /card block card-active-1 lost wallet   ·   help`,
    ].join('\n');

  /** Messages this person can see: public ones, and those ephemeral to them. */
  const visibleMessages = () =>
    slack.messages.filter((m) =>
      m.visibility === 'ephemeral' ? m.to === userId : !m.channel.startsWith('D') || dmOwner(m.channel) === userId,
    );

  const listButtons = () => {
    const lines: string[] = [];
    for (const message of visibleMessages()) {
      const buttons = buttonsIn(message.blocks, dir);
      if (buttons.length === 0) continue;
      const first = renderMrkdwn(message.text, dir).split('\n')[0] ?? '';
      lines.push(
        `  msg ${message.id} (${visibilityOf(message, dir)}): ${first.length > 70 ? `${first.slice(0, 70)}…` : first}`,
      );
      lines.push(`    ${renderButtons(buttons, numberButtons({ kind: 'message', message }, buttons))}`);
    }
    const home = slack.homeTabs.get(userId);
    const homeButtons = home ? buttonsIn(home.blocks as unknown[] | undefined, dir) : [];
    if (homeButtons.length > 0) {
      lines.push('  your Home tab:');
      lines.push(`    ${renderButtons(homeButtons, numberButtons({ kind: 'home', owner: userId }, homeButtons))}`);
    }
    const modal = driver.openViewOf(userId);
    const modalButtons = modal ? buttonsIn(modal.view.blocks as unknown[] | undefined, dir) : [];
    if (modal && modalButtons.length > 0) {
      lines.push('  your open modal:');
      lines.push(
        `    ${renderButtons(modalButtons, numberButtons({ kind: 'modal', owner: userId, viewId: modal.id }, modalButtons))}`,
      );
    }
    if (lines.length === 0) return say(`No buttons that ${userLabel(dir, userId)} can see.`);
    say([`Buttons ${userLabel(dir, userId)} can see:`, ...lines].join('\n'));
  };

  /** `press Approve`: the newest button with that label this person can see (their modal's, their Home tab's, a message's). */
  const numberForLabel = (label: string): number | undefined => {
    const wanted = label.trim().toLowerCase();
    const places: Place[] = [];
    for (const message of visibleMessages()) places.push({ kind: 'message', message });
    if (slack.homeTabs.has(userId)) places.push({ kind: 'home', owner: userId });
    const modal = driver.openViewOf(userId);
    if (modal) places.push({ kind: 'modal', owner: userId, viewId: modal.id });
    places.reverse();
    // The exact label first; else the newest whose label starts with what was typed (`press Appr`).
    for (const matches of [(l: string) => l === wanted, (l: string) => l.startsWith(wanted)]) {
      for (const place of places) {
        const buttons = buttonsIn(blocksAt(place), dir);
        for (let i = buttons.length - 1; i >= 0; i--) {
          if (matches(buttons[i]?.label.trim().toLowerCase() ?? '')) return numberButtons(place, buttons)[i];
        }
      }
    }
    return undefined;
  };

  const press = async (arg: string): Promise<'eof' | undefined> => {
    if (arg.trim() === '') {
      say('press <n|label>: a button number as shown beside it (`buttons` lists them), or its label.');
      return undefined;
    }
    const n = /^\d+$/.test(arg.trim()) ? Number(arg) : numberForLabel(arg);
    if (n === undefined) {
      say(`No button labelled “${arg.trim()}” that ${userLabel(dir, userId)} can see: \`buttons\` lists them.`);
      return undefined;
    }
    const numbered = byNumber.get(n);
    if (!numbered) {
      say(`No button was shown as [${n}]: \`buttons\` lists the ones you can see.`);
      return undefined;
    }
    const who = userLabel(dir, userId);
    const { place } = numbered;
    if (place.kind === 'message') {
      const { message } = place;
      if (message.visibility === 'ephemeral' && message.to !== userId) {
        say(
          `${who} cannot see that message: it is ephemeral to ${userLabel(dir, message.to ?? '?')} (\`as ${userLabel(dir, message.to ?? '?')}\` first).`,
        );
        return undefined;
      }
      const now = buttonNow(numbered);
      if (!now) {
        say(
          `Button [${n}] is no longer on msg ${message.id} (the message was replaced). \`buttons\` lists the current ones.`,
        );
        return undefined;
      }
      if (!(await confirmed(now))) return undefined;
      say(`(${who} presses [${n}] “${now.label}” on msg ${message.id})`);
      const result = await driver.click(userId, message, now.index);
      if (result.status !== 200) say('(the app did not acknowledge the click)');
      return afterAction();
    }
    if (place.owner !== userId) {
      say(
        `That button is in ${place.kind === 'home' ? 'the Home tab' : 'a modal'} of ${userLabel(dir, place.owner)}: \`as ${userLabel(dir, place.owner)}\` first.`,
      );
      return undefined;
    }
    const view =
      place.kind === 'home'
        ? (() => {
            const home = slack.homeTabs.get(userId);
            return home ? { id: String(home.id ?? `home-${userId}`), view: home } : undefined;
          })()
        : slack.views.find((v) => v.id === place.viewId && v.open);
    const now = view ? buttonNow(numbered) : undefined;
    if (!view || !now) {
      say(`Button [${n}] is gone (its view changed or closed). \`buttons\` lists the current ones.`);
      return undefined;
    }
    if (!(await confirmed(now))) return undefined;
    say(`(${who} presses [${n}] “${now.label}” in ${place.kind === 'home' ? 'the Home tab' : 'the modal'})`);
    const result = await driver.clickInView(userId, view, now.index);
    if (result.status !== 200) say('(the app did not acknowledge the click)');
    return afterAction();
  };

  /** A button with a confirm dialog asks first, as Slack does. */
  const confirmed = async (button: ShellButton): Promise<boolean> => {
    if (!button.confirm) return true;
    const c = button.confirm;
    say(`  ${c.title}${c.text ? ` — ${c.text}` : ''}`);
    const answer = await io.ask(`  ${c.confirm}? [y/N] `, { kind: 'field' });
    const yes = answer !== undefined && /^y(es)?$/i.test(answer.trim());
    if (!yes) say(`  (${c.deny})`);
    return yes;
  };

  const home = async () => {
    const result = await driver.openHome(userId);
    const text = collectChanges(false);
    if (text) say(text);
    const view = slack.homeTabs.get(userId);
    if (!view) {
      say(
        result.status === 200
          ? `The app published no Home tab for ${userLabel(dir, userId)}.`
          : `The app did not handle app_home_opened: no Home tab for ${userLabel(dir, userId)}.`,
      );
      return;
    }
    homesSeen.set(userId, JSON.stringify(view));
    say(renderHome(userId, view, false));
  };

  const show = (arg: string | undefined) => {
    const n = arg === undefined ? SHOW_DEFAULT : Number(arg);
    if (!Number.isInteger(n) || n < 1) return say('show [n]: n a whole number, 1 or more.');
    const visible = slack.visibleTo(userId, channelId()).slice(-n);
    if (visible.length === 0)
      return say(`${userLabel(dir, userId)} sees no messages in ${channelLabel(dir, channelId())}.`);
    say(visible.map((message) => showMessage(message, false)).join('\n'));
  };

  const wait = async (arg: string | undefined) => {
    const ms = arg === undefined ? undefined : parseWait(arg);
    if (ms === undefined || ms <= 0)
      return say(`wait <time>: 90s, 30m, 2h, 1d or plain seconds, up to ${formatDuration(maxWait * 1000)}.`);
    const capped = Math.min(ms, maxWait * 1000);
    if (capped < ms) say(`(waiting ${formatDuration(capped)}, the most wait allows)`);
    interrupted = false;
    if (clock) {
      // Everything due on the way runs at its moment, its work finished before the next.
      await clock.advance(capped, () => bot.bot.idle());
      await bot.bot.idle();
      flush();
      say(
        `(${formatDuration(capped)} passed: it is now ${clock.now().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
      );
      return;
    }
    const until = Date.now() + capped;
    while (Date.now() < until && !interrupted) {
      await sleep(Math.min(250, until - Date.now()));
      flush();
    }
    await bot.bot.idle();
    flush();
    say(interrupted ? '(wait cut short)' : `(${formatDuration(capped)} passed)`);
  };

  const auditPeek = async (arg: string | undefined) => {
    const n = arg === undefined ? 10 : Number(arg);
    if (!Number.isInteger(n) || n < 1) return say('audit [n]: n a whole number, 1 or more.');
    const rows = (await bot.audit.query({}, { limit: Math.min(n, 50) })).rows.reverse();
    if (rows.length === 0) return say('The audit log is empty.');
    say(
      rows
        .map((r) => {
          const where = r.channelId ? channelLabel(dir, r.channelId) : '-';
          const extra = [
            r.reason ? `reason: ${r.reason}` : '',
            r.error ? `error: ${r.error}` : '',
            r.traceId ? `trace ${r.traceId}` : '',
          ]
            .filter(Boolean)
            .join(' · ');
          return `  ${String(r.id).padStart(4)} ${r.ts} ${userLabel(dir, r.actor).padEnd(9)} ${where.padEnd(16)} ${r.op.padEnd(11)} ${(r.cardId ?? '-').padEnd(16)} ${r.outcome}${extra ? `  ${extra}` : ''}`;
        })
        .join('\n'),
    );
  };

  const execute = async (raw: string): Promise<'quit' | undefined> => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return undefined;
    busy = true;
    try {
      flush();
      if (line.startsWith('/')) {
        const command = line.split(/\s+/)[0] ?? line;
        const typed = line.slice(command.length).trim();
        const text = escapeMentions(typed);
        if (text !== typed) say(`(Slack sends it as: ${command} ${text})`);
        const result = await driver.command(userId, channelId(), command, text);
        if (result.status !== 200) {
          say(
            `(the app did not acknowledge ${command}: Slack would show “${command} failed with the error "operation_timeout"”)`,
          );
        }
        return (await afterAction()) === 'eof' ? 'quit' : undefined;
      }
      const [verb = '', ...args] = line.split(/\s+/);
      const rest = args.join(' ');
      switch (verb.toLowerCase()) {
        case 'as': {
          const found = rest ? findUser(rest) : undefined;
          if (!found) {
            say(`as <name|id>: one of ${[...slack.users.values()].map((u) => u.name).join(', ')}, or a user id (U…).`);
            return undefined;
          }
          userId = found;
          say(`Now acting as ${userLabel(dir, userId)} (${userId}, ${aboutUser(userId)}).`);
          return undefined;
        }
        case 'in': {
          const found = rest ? findChannel(rest) : undefined;
          if (!found) {
            say(
              `in <#name|id|dm>: one of ${[...slack.channels.values()].map((c) => `#${c.name}`).join(', ')}, dm, or a channel id (C…).`,
            );
            return undefined;
          }
          channel = found;
          say(
            channel === 'dm'
              ? `Now in your direct message with the bot (${channelId()}): ${allowedIn('dm')}.`
              : `Now in ${channelLabel(dir, channel)} (${channel}): ${allowedIn(channel)}.`,
          );
          return undefined;
        }
        case 'users':
          say(`People (* you)\n${usersTable()}`);
          return undefined;
        case 'channels':
          say(`Channels (* where you are)\n${channelsTable()}`);
          return undefined;
        case 'cards':
          say(`Demo cards (their state at the issuer now)\n${cardsTable()}`);
          return undefined;
        case 'buttons':
          listButtons();
          return undefined;
        case 'press':
          return (await press(rest)) === 'eof' ? 'quit' : undefined;
        case 'home':
          await home();
          return undefined;
        case 'show':
          show(args[0]);
          return undefined;
        case 'modal': {
          const view = driver.openViewOf(userId);
          if (!view) {
            say(`No modal is open for ${userLabel(dir, userId)}.`);
            return undefined;
          }
          return (await fillModal(view)) === 'eof' ? 'quit' : undefined;
        }
        case 'cancel-modal': {
          const view = driver.openViewOf(userId);
          if (!view) {
            say(`No modal is open for ${userLabel(dir, userId)}.`);
            return undefined;
          }
          await closeModal(view);
          say('(modal closed)');
          return undefined;
        }
        case 'wait':
          await wait(args[0]);
          return undefined;
        case 'audit':
          await auditPeek(args[0]);
          return undefined;
        case 'help':
        case '?':
          say(HELP);
          return undefined;
        case 'quit':
        case 'exit':
          return 'quit';
        default:
          say(`Unknown command “${verb}”: type help for the list (slash commands start with /, e.g. /card help).`);
          return undefined;
      }
    } catch (error) {
      say(`(the shell could not do that: ${(error as Error).message})`);
      return undefined;
    } finally {
      busy = false;
    }
  };

  const run = async () => {
    say(banner());
    let poll: NodeJS.Timeout | undefined;
    if (io.interactive) {
      // Messages replaced in the background (a secret hidden, a request expired) show up while the prompt waits.
      poll = setInterval(() => {
        if (busy || !io.waiting) return;
        const text = collectChanges();
        if (text) io.notify(text);
      }, options.pollMs ?? 500);
      poll.unref();
    }
    try {
      for (;;) {
        flush();
        const line = await io.ask(promptText(), { kind: 'command' });
        if (line === undefined || line === INTERRUPTED) break;
        if ((await execute(line)) === 'quit') break;
      }
      await bot.bot.idle();
      flush();
      if (filesDir && savedFiles.size > 0) say(`(the files the stand-in for Slack received stay in ${filesDir})`);
    } finally {
      if (poll) clearInterval(poll);
    }
  };

  return {
    banner,
    prompt: promptText,
    execute,
    run,
    flush,
    interrupt() {
      interrupted = true;
    },
    get userId() {
      return userId;
    },
    get channelId() {
      return channelId();
    },
  };
}

/** The names the completer offers: commands, people, channels, ops and card ids. */
export function createCompleter(): (line: string) => [string[], string] {
  const commands = [
    'as',
    'in',
    'users',
    'channels',
    'cards',
    'buttons',
    'press',
    'home',
    'show',
    'modal',
    'cancel-modal',
    'wait',
    'audit',
    'help',
    'quit',
    'exit',
    '/card',
    '/card-audit',
  ];
  const ops = ['help', 'whoami', 'history', ...CARD_OPS];
  const cards = DEMO_CARDS.map((c) => c.id);
  return (line) => {
    const words = line.split(/\s+/);
    const last = words.at(-1) ?? '';
    let pool: string[];
    if (words.length <= 1) pool = commands;
    else if (words[0] === 'as') pool = DEMO_USERS.map((u) => u.name);
    else if (words[0] === 'in') pool = [...DEMO_CHANNELS.map((c) => `#${c.name}`), 'dm'];
    else if (words[0] === 'wait') pool = ['90s', '5m', '30m', '1h', '2h', '1d'];
    else if (words[0] === '/card' && words.length === 2) pool = ops;
    else if (words[0] === '/card-audit' && words.length === 2)
      pool = ['export', 'verify', 'user:', 'card:', 'op:', 'outcome:', 'channel:', 'since:', 'until:'];
    else pool = cards;
    const hits = pool.filter((p) => p.startsWith(last));
    return [hits.length > 0 ? hits : pool, last];
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
