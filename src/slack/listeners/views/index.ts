import type { App, ViewSubmitAction } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { OPERATION_MODAL_ID } from '../../views/operation-modal.js';
import { handleCardOperationSubmitted } from './card-operation-submitted.js';

export function registerViews(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(OPERATION_MODAL_ID, (args) => handleCardOperationSubmitted(deps, args));
}
