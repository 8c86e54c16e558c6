import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/shell/fake-slack.js';
import {
  buttonsIn,
  checkAnswer,
  type Directory,
  describeField,
  inputFieldsOf,
  isSecretField,
  renderBlocks,
  renderButtons,
  renderFile,
  renderMessage,
  renderMrkdwn,
  renderView,
  visibilityOf,
} from '../../src/shell/render.js';

const dir: Directory = {
  users: new Map([
    ['U0AGENT01', 'alice'],
    ['U0ONCALL1', 'dave'],
    ['U0MANAGER', 'mallory'],
  ]),
  channels: new Map([
    ['C0SUPPORT', 'support'],
    ['C0APPROVE', 'card-approvals'],
  ]),
};

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

function message(overrides: Partial<SlackMessage>): SlackMessage {
  return {
    id: 7,
    channel: 'C0SUPPORT',
    ts: '1.000001',
    visibility: 'ephemeral',
    to: 'U0AGENT01',
    text: '',
    blocks: undefined,
    via: 'response_url',
    revision: 0,
    ...overrides,
  };
}

const approvalButtons = {
  type: 'actions',
  block_id: 'decide',
  elements: [
    {
      type: 'button',
      action_id: 'approve',
      text: { type: 'plain_text', text: 'Approve' },
      style: 'primary',
      confirm: {
        title: { type: 'plain_text', text: 'Cancel this card?' },
        text: { type: 'mrkdwn', text: 'This cannot be undone.' },
        confirm: { type: 'plain_text', text: 'Cancel the card' },
        deny: { type: 'plain_text', text: 'Back' },
      },
    },
    { type: 'button', action_id: 'reject', text: { type: 'plain_text', text: 'Reject' }, style: 'danger' },
  ],
};

describe('mrkdwn as a person reads it', () => {
  it('when text mentions people and channels by id, then they read by name', () => {
    expect(renderMrkdwn('<@U0AGENT01> asked in <#C0SUPPORT>; <@U0ONCALL1|dave> decides', dir)).toBe(
      '@alice asked in #support; @dave decides',
    );
  });

  it('when an id is unknown, then the label Slack sent or the id itself is shown', () => {
    expect(renderMrkdwn('<@U0NOBODY> in <#C0OTHER|other> and <#C0ELSE>', dir)).toBe('@U0NOBODY in #other and #C0ELSE');
  });

  it('when a date token is present, then its fallback text is shown', () => {
    expect(renderMrkdwn('expires <!date^1767225600^{date_short} {time}|2026-01-01 00:00 UTC>', dir)).toBe(
      'expires 2026-01-01 00:00 UTC',
    );
  });

  it('when text is escaped, then &lt; &gt; &amp; read as the characters, and escaped markup stays text', () => {
    expect(renderMrkdwn('reason: &lt;@U0AGENT01&gt; &amp; co', dir)).toBe('reason: <@U0AGENT01> & co');
  });

  it('when text holds links and special mentions, then labels, URLs and @here read plainly', () => {
    expect(
      renderMrkdwn('<https://example.com|docs>, <https://x.test> <!here> <!subteam^S0SUPPORT|@support>', dir),
    ).toBe('docs (https://example.com), https://x.test @here @support');
  });
});

describe('blocks as text', () => {
  it('when a message has sections, fields, a header, context and a divider, then each reads as lines', () => {
    const lines = renderBlocks(
      [
        { type: 'header', text: { type: 'plain_text', text: 'Cancel request' } },
        section('Card `card-active-4`\nsecond line'),
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Requester*\n<@U0AGENT01>' },
            { type: 'plain_text', text: 'Reason: lost' },
          ],
        },
        { type: 'divider' },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: 'in <#C0APPROVE>' },
            { type: 'image', image_url: 'https://x.test/i.png', alt_text: 'logo' },
          ],
        },
        { type: 'actions', elements: [{ type: 'static_select', placeholder: { type: 'plain_text', text: 'Pick' } }] },
        { type: 'video' },
      ],
      dir,
    );
    expect(lines).toEqual([
      '== Cancel request ==',
      'Card `card-active-4`',
      'second line',
      '• *Requester*',
      '  @alice',
      '• Reason: lost',
      '────────',
      'in #card-approvals  [image: logo]',
      '[static_select: Pick]',
      '[video block]',
    ]);
  });

  it('when blocks hold rich text, then its words, mentions and links read in order', () => {
    const lines = renderBlocks(
      [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'hi ' },
                { type: 'user', user_id: 'U0ONCALL1' },
                { type: 'text', text: ' see ' },
                { type: 'link', url: 'https://x.test', text: 'this' },
              ],
            },
          ],
        },
      ],
      dir,
    );
    expect(lines).toEqual(['hi @dave see this (https://x.test)']);
  });

  it('when a message has buttons in actions and as an accessory, then they are numbered from the given start', () => {
    const blocks = [
      {
        ...section('Reveal it'),
        accessory: { type: 'button', action_id: 'reveal', text: { type: 'plain_text', text: 'Reveal' } },
      },
      approvalButtons,
    ];
    const buttons = buttonsIn(blocks, dir);
    // Elements of each block come before its accessory, block by block, as the driver reads them.
    expect(buttons.map((b) => [b.index, b.actionId, b.label])).toEqual([
      [0, 'reveal', 'Reveal'],
      [1, 'approve', 'Approve'],
      [2, 'reject', 'Reject'],
    ]);
    expect(buttons[1]?.confirm).toEqual({
      title: 'Cancel this card?',
      text: 'This cannot be undone.',
      confirm: 'Cancel the card',
      deny: 'Back',
    });
    expect(renderButtons(buttons, 4)).toBe('[4] Reveal  [5] Approve  [6] Reject');
  });
});

describe('buttons where they stand', () => {
  it('when buttons stand in several blocks, then each is numbered beside its own text, in the order pressing uses', () => {
    const home = {
      type: 'home',
      blocks: [
        section('Request `CR-1`'),
        { ...approvalButtons, block_id: 'a' },
        {
          ...section('Request `CR-2`'),
          accessory: { type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open' } },
        },
        { ...approvalButtons, block_id: 'b' },
      ],
    };
    expect(renderView(home, dir, { heading: '[Home tab of dave]', firstButton: 3 })).toBe(
      [
        '[Home tab of dave]',
        '  Request `CR-1`',
        '  [3] Approve  [4] Reject',
        '  Request `CR-2`',
        '  [5] Open',
        '  [6] Approve  [7] Reject',
      ].join('\n'),
    );
    expect(buttonsIn(home.blocks, dir).map((b) => b.actionId)).toEqual([
      'approve',
      'reject',
      'open',
      'approve',
      'reject',
    ]);
  });
});

describe('who sees a message', () => {
  it('when a message is ephemeral, then the header names the one person and the channel', () => {
    expect(visibilityOf(message({}), dir)).toBe('ephemeral → alice in #support');
  });

  it('when a message is public, then the header names the channel; in a DM, the person whose DM it is', () => {
    expect(visibilityOf(message({ visibility: 'public', to: undefined, channel: 'C0APPROVE' }), dir)).toBe(
      'public in #card-approvals',
    );
    expect(visibilityOf(message({ visibility: 'public', to: undefined, channel: 'D0MANAGER' }), dir)).toBe(
      'dm → mallory',
    );
    expect(visibilityOf(message({ channel: 'D0AGENT01' }), dir)).toBe('ephemeral → alice in dm');
  });

  it('when a replaced message is shown again, then its header says updated, then its text and numbered buttons follow', () => {
    const text = renderMessage(
      message({
        visibility: 'public',
        to: undefined,
        channel: 'C0APPROVE',
        blocks: [section('Cancel <@U0AGENT01>'), approvalButtons],
        revision: 2,
      }),
      dir,
      { firstButton: 1, updated: true },
    );
    expect(text).toBe(
      ['[updated · public in #card-approvals] (msg 7)', '  Cancel @alice', '  [1] Approve  [2] Reject'].join('\n'),
    );
  });

  it('when a message has no blocks, then its text is shown', () => {
    expect(renderMessage(message({ text: 'plain &amp; simple' }), dir, { firstButton: 1, updated: false })).toBe(
      '[ephemeral → alice in #support] (msg 7)\n  plain & simple',
    );
  });
});

describe('files', () => {
  it('when a CSV arrives, then its name, size, saved path and first lines are shown, and how many more there are', () => {
    const csv = ['id,op', ...Array.from({ length: 9 }, (_, i) => `${i + 1},block`)].join('\n');
    const lines = renderFile({
      title: 'audit.csv',
      size: Buffer.byteLength(csv),
      savedPath: '/tmp/x/audit.csv',
      content: Buffer.from(csv),
    });
    expect(lines[0]).toBe(`📎 file “audit.csv” (${Buffer.byteLength(csv)} bytes) saved to /tmp/x/audit.csv`);
    expect(lines.slice(1, 3)).toEqual(['   │ id,op', '   │ 1,block']);
    expect(lines.at(-1)).toBe('   │ … 4 more line(s), 10 in all');
  });

  it('when a file is binary, then only its name and size are shown', () => {
    const lines = renderFile({ title: 'x.bin', size: 3, savedPath: undefined, content: Buffer.from([0, 1, 2]) });
    expect(lines).toEqual(['📎 file “x.bin” (3 bytes)', '   (binary content)']);
  });
});

const modal = {
  type: 'modal',
  title: { type: 'plain_text', text: 'Card operation' },
  submit: { type: 'plain_text', text: 'Run' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [
    section('Pick one'),
    {
      type: 'input',
      block_id: 'op',
      label: { type: 'plain_text', text: 'Operation' },
      element: {
        type: 'static_select',
        action_id: 'op',
        options: [
          {
            text: { type: 'plain_text', text: 'block' },
            value: 'block',
            description: { type: 'plain_text', text: 'block a card' },
          },
          { text: { type: 'plain_text', text: 'Unblock it' }, value: 'unblock' },
        ],
      },
    },
    {
      type: 'input',
      block_id: 'reason',
      optional: true,
      label: { type: 'plain_text', text: 'Reason' },
      hint: { type: 'plain_text', text: 'Kept in the audit log.' },
      element: { type: 'plain_text_input', action_id: 'reason', max_length: 5 },
    },
    {
      type: 'input',
      block_id: 'new_pin',
      label: { type: 'plain_text', text: 'New PIN' },
      element: { type: 'plain_text_input', action_id: 'value', min_length: 4, initial_value: '' },
    },
    {
      type: 'input',
      block_id: 'note',
      label: { type: 'plain_text', text: 'Note' },
      element: { type: 'plain_text_input', action_id: 'note', initial_value: 'as before' },
    },
  ],
};

describe('modal fields', () => {
  const [op, reason, pin, note] = inputFieldsOf(modal, dir);

  it('when a modal has input blocks, then each becomes a field with its label, options, hint and whether it is optional', () => {
    expect(op).toMatchObject({ blockId: 'op', kind: 'select', optional: false, label: 'Operation' });
    expect(describeField(op!)).toEqual([
      'Operation (required)',
      '   1) block — block a card',
      '   2) Unblock it [unblock]',
    ]);
    expect(describeField(reason!)).toEqual(['Reason (optional) — Kept in the audit log.']);
    expect(describeField(note!)).toEqual(['Note (required)', '   (empty answer keeps “as before”)']);
  });

  it('when a field is named like a PIN, CVV or last 4 digits, then it is secret', () => {
    expect(pin?.secret).toBe(true);
    expect(op?.secret).toBe(false);
    expect(isSecretField('cvv', 'value')).toBe(true);
    expect(isSecretField('digits', 'last4')).toBe(true);
    expect(isSecretField('card_id', 'card_id')).toBe(false);
  });

  it('when a select is answered by number, value or option text, then the option value is submitted; else the choices are repeated', () => {
    expect(checkAnswer(op!, '2')).toEqual({ value: 'unblock' });
    expect(checkAnswer(op!, 'block')).toEqual({ value: 'block' });
    expect(checkAnswer(op!, 'unblock it')).toEqual({ value: 'unblock' });
    expect(checkAnswer(op!, '3')).toEqual({ problem: 'Pick one of 1–2 (or type an option’s value).' });
  });

  it('when an optional field is left empty, then it stays blank; a required one is asked again; an initial value is kept', () => {
    expect(checkAnswer(reason!, '  ')).toEqual({ value: undefined });
    expect(checkAnswer(op!, '')).toEqual({ problem: 'This field is required.' });
    expect(checkAnswer(note!, '')).toEqual({ value: 'as before' });
  });

  it('when an answer breaks the length limits Slack enforces, then it is refused before anything is sent', () => {
    expect(checkAnswer(reason!, 'too long')).toEqual({ problem: 'At most 5 characters.' });
    expect(checkAnswer(pin!, '12')).toEqual({ problem: 'At least 4 characters.' });
  });

  it('when a modal is shown for filling, then its title, text, submit and close labels show and its fields are left to the questions', () => {
    expect(renderView(modal, dir, { heading: '[modal for alice]', firstButton: 1, inputs: false })).toBe(
      ['[modal for alice]: Card operation', '  Pick one', '  (submit: Run · close: Cancel)'].join('\n'),
    );
    expect(renderView(modal, dir, { heading: '[modal]', firstButton: 1 })).toContain('▸ field “Reason” (optional)');
  });
});
