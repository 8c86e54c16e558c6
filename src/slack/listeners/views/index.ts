import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { ACTIVATE_MODAL_ID } from '../../views/activate-modal.js';
import { CHANGE_PIN_MODAL_ID } from '../../views/change-pin-modal.js';
import { OPERATION_MODAL_ID } from '../../views/operation-modal.js';
import { REJECT_MODAL_ID } from '../../views/reject-modal.js';
import { handleActivateSubmitted } from './activate-submitted.js';
import { handleCardOperationSubmitted } from './card-operation-submitted.js';
import { handleChangePinSubmitted } from './change-pin-submitted.js';
import { handleRejectReasonSubmitted } from './reject-reason-submitted.js';

type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Form submissions (view_submission), by the form's callback_id. */
export const FORMS: Readonly<Record<string, (deps: ListenerDeps, args: SubmitArgs) => Promise<void>>> = {
  [OPERATION_MODAL_ID]: handleCardOperationSubmitted,
  [REJECT_MODAL_ID]: handleRejectReasonSubmitted,
  [ACTIVATE_MODAL_ID]: handleActivateSubmitted,
  [CHANGE_PIN_MODAL_ID]: handleChangePinSubmitted,
};
