/**
 * Imported first by main.ts, so that it is evaluated before any other module: SIGHUP's default
 * action ends the process, and a reload sent while the bot starts (a deploy tool, an early
 * `systemctl reload`) must not kill it. A SIGHUP that arrives before the bot serves is held and
 * applied once `onHangup` is given the reload.
 */
let reload: (() => void) | undefined;
let held = false;

process.on('SIGHUP', () => {
  if (reload) reload();
  else held = true;
});

/** Sets what SIGHUP does from now on; runs it at once if one arrived during start-up. */
export function onHangup(handler: () => void): void {
  reload = handler;
  if (held) {
    held = false;
    handler();
  }
}
