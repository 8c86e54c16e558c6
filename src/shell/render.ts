import type { SlackMessage } from './fake-slack.js';
import { buttonsOf } from './slack-driver.js';

/**
 * Pure rendering of what Slack would show, as terminal text: messages with who sees them,
 * Block Kit blocks, buttons, modals and their input fields. No I/O here: the shell prints
 * what these functions return, and the unit tests read it.
 */

/** Names for ids, so that `<@U0AGENT01>` reads `@alice` and `<#C0SUPPORT>` reads `#support`. */
export interface Directory {
  users: ReadonlyMap<string, string>;
  channels: ReadonlyMap<string, string>;
}

export function userLabel(dir: Directory, userId: string): string {
  return dir.users.get(userId) ?? userId;
}

/** `#support`, or `dm` for a direct message with the bot. */
export function channelLabel(dir: Directory, channelId: string): string {
  if (channelId.startsWith('D')) return 'dm';
  const name = dir.channels.get(channelId);
  return name ? `#${name}` : channelId;
}

/** The user whose direct message with the bot a D… channel is (the stand-in names it D + user id without U). */
export function dmOwner(channelId: string): string {
  return `U${channelId.slice(1)}`;
}

/** Slack's mrkdwn as a person reads it: mentions by name, dates by their fallback, entities unescaped. */
export function renderMrkdwn(text: string, dir: Directory): string {
  const replaced = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const [target = '', label] = splitOnce(inner, '|');
    if (target.startsWith('@')) {
      const id = target.slice(1);
      return `@${dir.users.get(id) ?? label ?? id}`;
    }
    if (target.startsWith('#')) {
      const id = target.slice(1);
      const name = dir.channels.get(id) ?? label;
      return name ? `#${name}` : id.startsWith('D') ? 'dm' : `#${id}`;
    }
    if (target.startsWith('!')) {
      const special = target.slice(1);
      if (special.startsWith('date^')) return label ?? special.split('^')[1] ?? special;
      if (special.startsWith('subteam^')) return label ?? `@${special.slice('subteam^'.length)}`;
      if (special === 'here' || special === 'channel' || special === 'everyone') return `@${special}`;
      return label ?? special;
    }
    // A link: its label and where it goes.
    return label ? `${label} (${target})` : target;
  });
  return unescapeEntities(replaced);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

export function unescapeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

interface TextObject {
  type?: string;
  text?: string;
}

function textOf(value: unknown, dir: Directory): string {
  if (!value || typeof value !== 'object') return '';
  const t = value as TextObject;
  if (typeof t.text !== 'string') return '';
  return t.type === 'mrkdwn' ? renderMrkdwn(t.text, dir) : t.text;
}

type Block = Record<string, unknown> & { type?: string };

/**
 * The lines a person reads in a list of blocks. Buttons are numbered where they stand, from
 * `firstButton`, in the order `buttonsIn` lists them; without `firstButton` they are left out.
 */
export function renderBlocks(
  blocks: unknown[] | undefined,
  dir: Directory,
  firstButton?: number | readonly number[],
): string[] {
  const lines: string[] = [];
  let next = 0;
  const buttonLine = (elements: unknown[]): string | undefined => {
    const buttons = elements
      .map((e) => e as { type?: string; action_id?: string; text?: unknown; url?: string })
      .filter((e) => e?.type === 'button' && e.action_id)
      .map((e) => ({ label: textOf(e.text, dir) || String(e.action_id), url: e.url }));
    if (buttons.length === 0 || firstButton === undefined) return undefined;
    const line = renderButtons(
      buttons,
      typeof firstButton === 'number' ? firstButton + next : firstButton.slice(next, next + buttons.length),
    );
    next += buttons.length;
    return line;
  };
  for (const raw of blocks ?? []) {
    if (!raw || typeof raw !== 'object') continue;
    const block = raw as Block;
    switch (block.type) {
      case 'section': {
        const text = textOf(block.text, dir);
        if (text) lines.push(...text.split('\n'));
        for (const field of asList(block.fields)) {
          const value = textOf(field, dir);
          if (value) lines.push(...value.split('\n').map((l, i) => (i === 0 ? `• ${l}` : `  ${l}`)));
        }
        const extra = elementNote(block.accessory, dir) ?? buttonLine(block.accessory ? [block.accessory] : []);
        if (extra) lines.push(extra);
        break;
      }
      case 'header':
        lines.push(`== ${textOf(block.text, dir)} ==`);
        break;
      case 'context': {
        const parts = asList(block.elements)
          .map((e) => {
            const el = e as { type?: string; alt_text?: string };
            return el.type === 'image' ? `[image: ${el.alt_text ?? ''}]` : textOf(e, dir);
          })
          .filter((p) => p !== '');
        if (parts.length > 0) lines.push(...parts.join('  ').split('\n'));
        break;
      }
      case 'divider':
        lines.push('────────');
        break;
      case 'image':
        lines.push(`[image: ${String(block.alt_text ?? block.title ?? '')}]`);
        break;
      case 'actions': {
        const buttons = buttonLine(asList(block.elements));
        if (buttons) lines.push(buttons);
        for (const element of asList(block.elements)) {
          const note = elementNote(element, dir);
          if (note) lines.push(note);
        }
        break;
      }
      case 'input': {
        const optional = block.optional === true ? ' (optional)' : '';
        lines.push(`▸ field “${textOf(block.label, dir)}”${optional}`);
        break;
      }
      case 'rich_text':
        lines.push(...renderRichText(block, dir).split('\n'));
        break;
      case 'markdown':
        if (typeof block.text === 'string') lines.push(...block.text.split('\n'));
        break;
      default:
        lines.push(`[${String(block.type ?? 'unknown')} block]`);
    }
  }
  return lines;
}

/** Interactive elements other than buttons (menus, pickers), which the shell cannot operate. */
function elementNote(element: unknown, dir: Directory): string | undefined {
  if (!element || typeof element !== 'object') return undefined;
  const e = element as { type?: string; placeholder?: unknown; alt_text?: string };
  if (e.type === 'button' || e.type === undefined) return undefined;
  if (e.type === 'image') return `[image: ${e.alt_text ?? ''}]`;
  const placeholder = textOf(e.placeholder, dir);
  return `[${e.type}${placeholder ? `: ${placeholder}` : ''}]`;
}

function renderRichText(block: Block, dir: Directory): string {
  const walk = (node: unknown): string => {
    if (!node || typeof node !== 'object') return '';
    const n = node as {
      type?: string;
      text?: string;
      url?: string;
      user_id?: string;
      channel_id?: string;
      name?: string;
      elements?: unknown[];
    };
    switch (n.type) {
      case 'text':
        return n.text ?? '';
      case 'link':
        return n.text ? `${n.text} (${n.url ?? ''})` : (n.url ?? '');
      case 'user':
        return `@${userLabel(dir, n.user_id ?? '')}`;
      case 'channel':
        return channelLabel(dir, n.channel_id ?? '');
      case 'emoji':
        return `:${n.name ?? ''}:`;
      case 'rich_text_list':
        return (n.elements ?? []).map((e) => `• ${walk(e)}`).join('\n');
      case 'rich_text_preformatted':
      case 'rich_text_quote':
      case 'rich_text_section':
        return (n.elements ?? []).map(walk).join('');
      default:
        return (n.elements ?? []).map(walk).join('');
    }
  };
  return asList(block.elements).map(walk).join('\n');
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A button as the shell offers it: its index in the blocks (for the driver), label and any confirm dialog. */
export interface ShellButton {
  /** Index among the buttons of these blocks, in the order `buttonsOf` reads them. */
  index: number;
  actionId: string;
  blockId: string;
  value: string | undefined;
  label: string;
  style: string | undefined;
  url: string | undefined;
  confirm: { title: string; text: string; confirm: string; deny: string } | undefined;
}

/** Every button in the blocks, in reading order, with what the shell needs to press it. */
export function buttonsIn(blocks: unknown[] | undefined, dir: Directory): ShellButton[] {
  const raw: Record<string, unknown>[] = [];
  for (const block of blocks ?? []) {
    const b = block as { elements?: unknown[]; accessory?: unknown };
    for (const element of [...asList(b?.elements), ...(b?.accessory ? [b.accessory] : [])]) {
      const e = element as { type?: string; action_id?: string };
      if (e?.type === 'button' && e.action_id) raw.push(element as Record<string, unknown>);
    }
  }
  return buttonsOf(blocks).map((ref, index) => {
    const element = raw[index] ?? {};
    const confirm = element.confirm as Record<string, unknown> | undefined;
    return {
      index,
      actionId: ref.actionId,
      blockId: ref.blockId,
      value: ref.value,
      label: ref.text,
      style: ref.style,
      url: typeof element.url === 'string' ? element.url : undefined,
      confirm: confirm
        ? {
            title: textOf(confirm.title, dir),
            text: textOf(confirm.text, dir),
            confirm: textOf(confirm.confirm, dir) || 'Confirm',
            deny: textOf(confirm.deny, dir) || 'Cancel',
          }
        : undefined,
    };
  });
}

/** `[1] Approve  [2] Reject`: numbered from `first`, or with the given numbers in order. */
export function renderButtons(
  buttons: readonly { label: string; url?: string | undefined }[],
  first: number | readonly number[],
): string {
  const numberOf = (i: number) => (typeof first === 'number' ? first + i : (first[i] ?? '?'));
  return buttons.map((b, i) => `[${numberOf(i)}] ${b.label}${b.url ? ` (opens ${b.url})` : ''}`).join('  ');
}

/** Who sees a message, in words: `ephemeral → alice in #support`, `public in #card-approvals`, `dm → mallory`. */
export function visibilityOf(message: Pick<SlackMessage, 'visibility' | 'to' | 'channel'>, dir: Directory): string {
  if (message.visibility === 'ephemeral') {
    return `ephemeral → ${userLabel(dir, message.to ?? '?')} in ${channelLabel(dir, message.channel)}`;
  }
  if (message.channel.startsWith('D')) return `dm → ${userLabel(dir, dmOwner(message.channel))}`;
  return `public in ${channelLabel(dir, message.channel)}`;
}

/** A file as the shell shows it: where it saved a copy, and the first lines of a text file. */
export interface FileShown {
  title: string;
  size: number;
  savedPath: string | undefined;
  content: Buffer;
}

const TEXT_PREVIEW_LINES = 6;

export function renderFile(file: FileShown): string[] {
  const lines = [
    `📎 file “${file.title}” (${formatBytes(file.size)})${file.savedPath ? ` saved to ${file.savedPath}` : ''}`,
  ];
  const text = file.content.toString('utf8');
  if (looksBinary(file.content)) {
    lines.push('   (binary content)');
    return lines;
  }
  const all = text.split(/\r?\n/);
  if (all.at(-1) === '') all.pop();
  for (const line of all.slice(0, TEXT_PREVIEW_LINES))
    lines.push(`   │ ${line.length > 160 ? `${line.slice(0, 160)}…` : line}`);
  if (all.length > TEXT_PREVIEW_LINES)
    lines.push(`   │ … ${all.length - TEXT_PREVIEW_LINES} more line(s), ${all.length} in all`);
  return lines;
}

/** Control bytes other than tab, newline and carriage return: not a text file. */
function looksBinary(content: Buffer): boolean {
  for (const byte of content.subarray(0, 4096)) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return true;
  }
  return false;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} bytes`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

export interface RenderMessageOptions {
  /** The number the first button gets, or each button's number in order. */
  firstButton: number | readonly number[];
  /** The message was shown before and has been replaced since. */
  updated: boolean;
  files?: FileShown[];
}

/** A message with its visibility header, its text and its numbered buttons. */
export function renderMessage(message: SlackMessage, dir: Directory, options: RenderMessageOptions): string {
  const header = `[${options.updated ? 'updated · ' : ''}${visibilityOf(message, dir)}] (msg ${message.id})`;
  const body =
    message.blocks && message.blocks.length > 0
      ? renderBlocks(message.blocks, dir, options.firstButton)
      : renderMrkdwn(message.text, dir).split('\n');
  const lines = [header, ...body.map((l) => `  ${l}`)];
  for (const file of options.files ?? []) lines.push(...renderFile(file).map((l) => `  ${l}`));
  return lines.join('\n');
}

/** An input field of a modal, as the shell asks for it. */
export interface InputField {
  blockId: string;
  actionId: string;
  label: string;
  hint: string | undefined;
  placeholder: string | undefined;
  optional: boolean;
  /** `select`: one of `options`; `text`: anything typed. */
  kind: 'select' | 'text';
  elementType: string;
  options: { text: string; value: string; description: string | undefined }[];
  initial: string | undefined;
  multiline: boolean;
  minLength: number | undefined;
  maxLength: number | undefined;
  /** Typed answers are masked: a PIN, a CVV, the last digits of a card number. */
  secret: boolean;
}

const SECRET_FIELD = /pin|cvv|cvc|last4|pan|secret|password/i;

/** True for a field whose answer must never be echoed in a transcript. */
export function isSecretField(blockId: string, actionId: string): boolean {
  return SECRET_FIELD.test(blockId) || SECRET_FIELD.test(actionId);
}

/** The input blocks of a modal, in order. */
export function inputFieldsOf(view: Record<string, unknown>, dir: Directory): InputField[] {
  const fields: InputField[] = [];
  for (const raw of asList(view.blocks)) {
    const block = raw as Block;
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = (block.element ?? {}) as Record<string, unknown>;
    const actionId = typeof element.action_id === 'string' ? element.action_id : block.block_id;
    const elementType = typeof element.type === 'string' ? element.type : 'plain_text_input';
    const options = [
      ...asList(element.options),
      ...asList(element.option_groups).flatMap((g) => asList((g as { options?: unknown }).options)),
    ].map((o) => {
      const option = o as { text?: unknown; value?: unknown; description?: unknown };
      return {
        text: textOf(option.text, dir),
        value: String(option.value ?? ''),
        description: textOf(option.description, dir) || undefined,
      };
    });
    const initialOption = element.initial_option as { value?: unknown } | undefined;
    const initial =
      typeof element.initial_value === 'string' && element.initial_value !== ''
        ? element.initial_value
        : initialOption?.value !== undefined
          ? String(initialOption.value)
          : undefined;
    fields.push({
      blockId: block.block_id,
      actionId,
      label: textOf(block.label, dir) || block.block_id,
      hint: textOf(block.hint, dir) || undefined,
      placeholder: textOf(element.placeholder, dir) || undefined,
      optional: block.optional === true,
      kind:
        options.length > 0 || elementType === 'static_select' || elementType === 'radio_buttons' ? 'select' : 'text',
      elementType,
      options,
      initial,
      multiline: element.multiline === true,
      minLength: typeof element.min_length === 'number' ? element.min_length : undefined,
      maxLength: typeof element.max_length === 'number' ? element.max_length : undefined,
      secret: isSecretField(block.block_id, actionId),
    });
  }
  return fields;
}

/** How a field is introduced before its answer is asked. */
export function describeField(field: InputField): string[] {
  const said = /\((optional|required)\)\s*$/i.test(field.label);
  const lines = [
    `${field.label}${said ? '' : field.optional ? ' (optional)' : ' (required)'}${field.hint ? ` — ${field.hint}` : ''}`,
  ];
  if (field.kind === 'select') {
    field.options.forEach((o, i) => {
      lines.push(
        `   ${i + 1}) ${o.text}${o.value !== o.text ? ` [${o.value}]` : ''}${o.description ? ` — ${o.description}` : ''}`,
      );
    });
  }
  if (field.initial !== undefined && !field.secret) lines.push(`   (empty answer keeps “${field.initial}”)`);
  return lines;
}

/** The value a select answer means: an option's number, value or text; undefined when it matches none. */
export function selectAnswer(field: InputField, answer: string): string | undefined {
  const trimmed = answer.trim();
  if (/^\d+$/.test(trimmed)) {
    const option = field.options[Number(trimmed) - 1];
    if (option) return option.value;
  }
  const lower = trimmed.toLowerCase();
  return (
    field.options.find((o) => o.value === trimmed)?.value ??
    field.options.find((o) => o.value.toLowerCase() === lower || o.text.toLowerCase() === lower)?.value
  );
}

/**
 * Checks an answer the way Slack's client would before sending anything: required fields,
 * lengths, options. Returns the value to submit (undefined: left blank) or a problem to show.
 */
export function checkAnswer(field: InputField, answer: string): { value: string | undefined } | { problem: string } {
  const typed = field.multiline ? answer.replace(/\\n/g, '\n') : answer;
  if (typed.trim() === '') {
    if (field.initial !== undefined) return { value: field.initial };
    if (field.optional) return { value: undefined };
    return { problem: 'This field is required.' };
  }
  if (field.kind === 'select') {
    const value = selectAnswer(field, typed);
    return value === undefined
      ? { problem: `Pick one of 1–${field.options.length} (or type an option’s value).` }
      : { value };
  }
  if (field.maxLength !== undefined && typed.length > field.maxLength) {
    return { problem: `At most ${field.maxLength} characters.` };
  }
  if (field.minLength !== undefined && typed.length < field.minLength) {
    return { problem: `At least ${field.minLength} characters.` };
  }
  if (field.elementType === 'number_input' && !/^-?\d+(\.\d+)?$/.test(typed.trim()))
    return { problem: 'A number, please.' };
  return { value: typed };
}

/** A modal or Home tab: its title, what its blocks say (input fields as ▸ lines unless `inputs: false`) and its numbered buttons. */
export function renderView(
  view: Record<string, unknown>,
  dir: Directory,
  options: { heading: string; firstButton: number | readonly number[]; inputs?: boolean },
): string {
  const title = textOf(view.title, dir);
  const lines = [`${options.heading}${title ? `: ${title}` : ''}`];
  const blocks = asList(view.blocks).filter((b) => options.inputs !== false || (b as Block)?.type !== 'input');
  for (const line of renderBlocks(blocks, dir, options.firstButton)) lines.push(`  ${line}`);
  const submit = textOf(view.submit, dir);
  const close = textOf(view.close, dir);
  if (submit || close) {
    lines.push(
      `  (${[submit ? `submit: ${submit}` : '', close ? `close: ${close}` : ''].filter(Boolean).join(' · ')})`,
    );
  }
  return lines.join('\n');
}
