import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/**
 * Where the shell reads what the person (or the script) types and prints what Slack would show.
 * Two kinds: a terminal, with line editing, history, completion and masked secret fields; and a
 * script read line by line from a pipe, each answer echoed after its prompt so that the
 * transcript reads like a session.
 */
export interface ShellIO {
  /** A person types at a terminal. */
  readonly interactive: boolean;
  /**
   * One line of input; undefined once the input has ended (Ctrl-D, end of the script).
   * `secret`: never echo what is typed. `field`: answering a modal, where only `# ` lines are comments.
   */
  ask(prompt: string, options?: AskOptions): Promise<string | undefined>;
  print(text: string): void;
  /** Shows text while a prompt is waiting (background updates), then shows the prompt again. */
  notify(text: string): void;
  /** True while a prompt waits for an answer. */
  readonly waiting: boolean;
  close(): void;
}

export interface AskOptions {
  secret?: boolean;
  kind?: 'command' | 'field';
}

/** What Ctrl-C answers to a waiting prompt: the shell quits at its prompt and abandons a modal. */
export const INTERRUPTED = '\u0003';

/** A second Ctrl-C within this long of the first quits; the first only clears the line. */
export const QUIT_WINDOW_MS = 2_000;

export const CTRL_C_NOTICE = '(Press Ctrl-C again to quit; Ctrl-D quits too)';

const MASK = '••••';

/** A comment line of a script: `#` at the command prompt; `# ` or a lone `#` in a field, where `#5` may be an answer. */
export function isComment(line: string, kind: 'command' | 'field'): boolean {
  const t = line.trimStart();
  if (kind === 'command') return t.startsWith('#');
  return t === '#' || t.startsWith('# ');
}

/**
 * `#> text`: what a guided tour expects the step above to print (docs/shell-demo.txt); its test
 * checks them. A script skips them without echoing, so the transcript shows only what happened.
 */
export function isExpectation(line: string): boolean {
  return line.trimStart().startsWith('#>');
}

/** Reads a script line by line (stdin not a terminal); echoes each answer after its prompt, masked for secrets. */
export function createScriptIO(input: Readable, write: (text: string) => void): ShellIO {
  const rl = readline.createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  const lines = rl[Symbol.asyncIterator]();
  let ended = false;
  let waiting = false;
  return {
    interactive: false,
    get waiting() {
      return waiting;
    },
    async ask(prompt, options = {}) {
      const kind = options.kind ?? 'command';
      waiting = true;
      try {
        for (;;) {
          if (ended) return undefined;
          const next = await lines.next();
          if (next.done) {
            ended = true;
            return undefined;
          }
          const line = next.value.replace(/\r$/, '');
          if (isExpectation(line)) continue;
          if (isComment(line, kind)) {
            write(`${line.trim()}\n`);
            continue;
          }
          if (kind === 'command' && line.trim() === '') continue;
          write(`${prompt}${options.secret && line !== '' ? MASK : line}\n`);
          return line;
        }
      } finally {
        waiting = false;
      }
    },
    print(text) {
      write(text.endsWith('\n') ? text : `${text}\n`);
    },
    notify(text) {
      write(text.endsWith('\n') ? text : `${text}\n`);
    },
    close() {
      rl.close();
    },
  };
}

/**
 * Line editing at a terminal, with history and completion; answers to secret fields are masked as
 * typed. Ctrl-C clears the line (or cuts a running command short) and says how to quit: a second
 * one within 2 s quits, as does Ctrl-D on an empty line.
 */
export function createTerminalIO(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  completer?: (line: string) => [string[], string],
  /** Ctrl-C while no prompt waits (a command is running, e.g. `wait`). */
  onInterrupt?: () => void,
  /** The wall clock the 2 s between two Ctrl-Cs is measured on (a test's own). */
  options: { nowMs?: () => number } = {},
): ShellIO {
  const nowMs = options.nowMs ?? Date.now;
  const rl = readline.createInterface({
    input,
    output,
    terminal: true,
    historySize: 500,
    ...(completer ? { completer } : {}),
  });
  let pending: ((line: string | undefined) => void) | undefined;
  let closed = false;
  let muted = false;
  /** While set, readline's redrawing is not shown (the line is being cleared). */
  let hushed = false;
  let lastInterrupt: number | undefined;
  let asking: 'command' | 'field' = 'command';

  // Typed characters of a secret field are shown as `*`. readline offers no option for this; the
  // documented-by-use hook is `_writeToOutput`, through which it echoes every keystroke.
  const hooked = rl as unknown as { _writeToOutput?: (text: string) => void };
  const original = hooked._writeToOutput?.bind(rl);
  if (original) {
    hooked._writeToOutput = (text: string) => {
      if (hushed) return;
      if (!muted) return original(text);
      // Keep control sequences and the prompt; replace what was typed.
      const prompt = rl.getPrompt();
      if (text.startsWith(prompt)) return original(prompt + '*'.repeat([...text.slice(prompt.length)].length));
      if (text === '\r\n' || text === '\n' || text.startsWith('\u001b')) return original(text);
      return original('*'.repeat([...text].length));
    };
  }

  const settle = (value: string | undefined) => {
    const resolve = pending;
    pending = undefined;
    muted = false;
    resolve?.(value);
  };
  // A secret answer must not come back with the up arrow.
  const history = (rl as unknown as { history?: string[] }).history;
  rl.on('line', (line) => {
    if (muted && history?.[0] === line) history.shift();
    settle(line);
  });
  rl.on('close', () => {
    closed = true;
    settle(undefined);
  });
  rl.on('SIGINT', () => {
    const at = nowMs();
    const again = lastInterrupt !== undefined && at - lastInterrupt <= QUIT_WINDOW_MS;
    lastInterrupt = at;
    output.write('^C\n');
    if (again) {
      // Quitting reads as the end of the input, wherever it is asked (a prompt, a modal's field).
      if (!pending) onInterrupt?.();
      rl.close();
      return;
    }
    if (!pending) {
      onInterrupt?.();
      output.write(`${CTRL_C_NOTICE}\n`);
      return;
    }
    // Clear what was typed (Ctrl-E, Ctrl-U) without showing readline redraw it, then a fresh prompt.
    hushed = true;
    try {
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
    } finally {
      hushed = false;
    }
    // From the first column: readline's cursor moves were not all hushed.
    output.write(
      `\r${asking === 'field' ? CTRL_C_NOTICE.replace(')', '; !cancel closes the form)') : CTRL_C_NOTICE}\n`,
    );
    rl.prompt();
  });

  return {
    interactive: true,
    get waiting() {
      return pending !== undefined;
    },
    ask(prompt, options = {}) {
      if (closed) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        pending = resolve;
        muted = options.secret === true;
        asking = options.kind ?? 'command';
        rl.setPrompt(prompt);
        rl.prompt();
      });
    },
    print(text) {
      output.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    notify(text) {
      if (!pending) {
        output.write(text.endsWith('\n') ? text : `${text}\n`);
        return;
      }
      readline.clearLine(output, 0);
      readline.cursorTo(output, 0);
      output.write(text.endsWith('\n') ? text : `${text}\n`);
      rl.prompt(true);
    },
    close() {
      rl.close();
    },
  };
}

/** Writes to a stream, for the script mode. */
export function writerOf(stream: Writable): (text: string) => void {
  return (text) => {
    stream.write(text);
  };
}
