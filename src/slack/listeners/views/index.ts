import type { App, ViewSubmitAction } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { ACTIVATE_MODAL_ID } from '../../views/activate-modal.js';
import { CHANGE_PIN_MODAL_ID } from '../../views/change-pin-modal.js';
import { OPERATION_MODAL_ID } from '../../views/operation-modal.js';
import { REJECT_MODAL_ID } from '../../views/reject-modal.js';
import { handleActivateSubmitted } from './activate-submitted.js';
import { handleCardOperationSubmitted } from './card-operation-submitted.js';
import { handleChangePinSubmitted } from './change-pin-submitted.js';
import { handleRejectReasonSubmitted } from './reject-reason-submitted.js';

export function registerViews(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(OPERATION_MODAL_ID, (args) => handleCardOperationSubmitted(deps, args));
  app.view<ViewSubmitAction>(REJECT_MODAL_ID, (args) => handleRejectReasonSubmitted(deps, args));
  app.view<ViewSubmitAction>(ACTIVATE_MODAL_ID, (args) => handleActivateSubmitted(deps, args));
  app.view<ViewSubmitAction>(CHANGE_PIN_MODAL_ID, (args) => handleChangePinSubmitted(deps, args));
}
