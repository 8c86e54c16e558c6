import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { ListenerDeps } from '../../src/slack/deps.js';
import { createRouter } from '../../src/slack/listeners/router.js';
import { OPERATION_MODAL_ID } from '../../src/slack/views/operation-modal.js';
import { REVEAL_ACTION_ID } from '../../src/slack/views/secret-replies.js';

// The router only reads the delivery; no handler runs in these tests.
const route = createRouter({} as ListenerDeps);
const delivery = (fields: Record<string, unknown>) => fields as unknown as AnyMiddlewareArgs & AllMiddlewareArgs;

describe('router: which handler a delivery reaches (Bolt listener rules)', () => {
  it('when a slash command is one of ours, then it has a handler; any other name has none', () => {
    expect(route(delivery({ command: { command: '/card' }, body: {} }))).toBeTypeOf('function');
    expect(route(delivery({ command: { command: '/card-audit' }, body: {} }))).toBeTypeOf('function');
    for (const name of ['/cards', '/card ', 'card', 'constructor', '__proto__', 'toString', '']) {
      expect(route(delivery({ command: { command: name }, body: {} })), name).toBeUndefined();
    }
  });

  it('when a button click names one of our action ids, then it has a handler; an unknown or missing id has none', () => {
    expect(route(delivery({ action: { action_id: REVEAL_ACTION_ID }, body: { type: 'block_actions' } }))).toBeTypeOf(
      'function',
    );
    expect(route(delivery({ action: { action_id: 'cardops_other' }, body: {} }))).toBeUndefined();
    expect(route(delivery({ action: { action_id: 'hasOwnProperty' }, body: {} }))).toBeUndefined();
    // A legacy interactive_message action has a name, no action_id.
    expect(route(delivery({ action: { name: REVEAL_ACTION_ID }, body: {} }))).toBeUndefined();
  });

  it('when a form is submitted, then it has a handler by callback_id; a closed form has none', () => {
    const view = { callback_id: OPERATION_MODAL_ID };
    expect(route(delivery({ view, body: { type: 'view_submission' } }))).toBeTypeOf('function');
    expect(route(delivery({ view, body: { type: 'view_closed' } }))).toBeUndefined();
    expect(route(delivery({ view: { callback_id: 'other' }, body: { type: 'view_submission' } }))).toBeUndefined();
  });

  it('when an event arrives, then only app_home_opened has a handler', () => {
    expect(route(delivery({ event: { type: 'app_home_opened' }, body: {} }))).toBeTypeOf('function');
    for (const type of ['message', 'app_mention', 'app_uninstalled']) {
      expect(route(delivery({ event: { type }, body: {} })), type).toBeUndefined();
    }
  });

  it('when a delivery is none of these (a shortcut, options), then it has no handler', () => {
    expect(route(delivery({ shortcut: { callback_id: 'x' }, body: {} }))).toBeUndefined();
    expect(route(delivery({ options: { action_id: 'x' }, body: {} }))).toBeUndefined();
    expect(route(delivery({ body: {} }))).toBeUndefined();
  });
});
