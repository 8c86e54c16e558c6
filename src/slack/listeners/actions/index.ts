import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../../views/approval-message.js';
import { AUDIT_NEXT_PAGE_ACTION } from '../../views/audit-replies.js';
import { REVEAL_ACTION_ID } from '../../views/secret-replies.js';
import { handleApproveCancel } from './approve-cancel.js';
import { handleAuditNextPage } from './audit-next-page.js';
import { handleRejectCancel } from './reject-cancel.js';
import { handleRevealSecret } from './reveal-secret.js';

/** Button clicks. One line per action; the handlers live beside this file, one per file. */
export function registerActions(app: App, deps: ListenerDeps): void {
  void app;
  void deps;
  app.action(AUDIT_NEXT_PAGE_ACTION, (args) => handleAuditNextPage(deps, args));
  app.action(REVEAL_ACTION_ID, (args) => handleRevealSecret(deps, args));
  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION_ID, (args) => handleApproveCancel(deps, args));
  app.action<BlockAction<ButtonAction>>(REJECT_ACTION_ID, (args) => handleRejectCancel(deps, args));
}
