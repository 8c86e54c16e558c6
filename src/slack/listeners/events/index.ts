import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { handleAppHomeOpened } from './app-home-opened.js';

type HomeOpenedArgs = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** Events API events, by type (the Home tab). */
export const EVENTS: Readonly<{ app_home_opened: (deps: ListenerDeps, args: HomeOpenedArgs) => Promise<void> }> = {
  app_home_opened: handleAppHomeOpened,
};
