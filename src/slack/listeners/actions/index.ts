import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, WITHDRAW_ACTION_ID } from '../../views/approval-message.js';
import { AUDIT_NEXT_PAGE_ACTION } from '../../views/audit-replies.js';
import { LIMIT_REMOVAL_ACTION_ID } from '../../views/card-replies.js';
import { CLEAR_ACTIVATION_LOCK_ACTION_ID } from '../../views/home-tab.js';
import { REVEAL_ACTION_ID } from '../../views/secret-replies.js';
import { handleApproveCancel } from './approve-cancel.js';
import { handleAuditNextPage } from './audit-next-page.js';
import { handleClearActivationLock } from './clear-activation-lock.js';
import { handleConfirmLimitRemoval } from './confirm-limit-removal.js';
import { handleRejectCancel } from './reject-cancel.js';
import { handleRevealSecret } from './reveal-secret.js';
import { handleWithdrawCancel } from './withdraw-cancel.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Button clicks, by action_id: one line per action; the handlers live beside this file, one per file. */
export const ACTIONS: Readonly<Record<string, (deps: ListenerDeps, args: ButtonArgs) => Promise<void>>> = {
  [AUDIT_NEXT_PAGE_ACTION]: handleAuditNextPage,
  [REVEAL_ACTION_ID]: handleRevealSecret,
  [APPROVE_ACTION_ID]: handleApproveCancel,
  [REJECT_ACTION_ID]: handleRejectCancel,
  [CLEAR_ACTIVATION_LOCK_ACTION_ID]: handleClearActivationLock,
  [WITHDRAW_ACTION_ID]: handleWithdrawCancel,
  [LIMIT_REMOVAL_ACTION_ID]: handleConfirmLimitRemoval,
};
