import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_LINE, ROOT, runShell, type ShellRun } from '../helpers/run-shell.js';

/**
 * docs/shell-demo.txt is a guided tour: commands, and under each step `#>` lines with a fragment
 * of what it should print. It is piped into the real shell (`npm run shell < docs/shell-demo.txt`)
 * and every fragment is looked for in the answer to its own step, so the tour stays true.
 */

interface Step {
  /** The command as typed at the prompt. */
  command: string;
  /** Its line in the tour, for the failure message. */
  line: number;
  expected: string[];
  /** What the shell printed for it: its echo up to the next prompt (modal answers included). */
  answer: string;
}

/** Fragments match whatever the whitespace and letter case (the product's wording may be tuned). */
const loose = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Splits the tour into steps by the commands the transcript shows echoed at the prompt: an input
 * line that is not echoed there answered a modal's field or a confirmation, and belongs to the
 * step before it, as do the `#>` lines under it.
 */
function stepsOf(tour: string, transcript: string): Step[] {
  const lines = transcript.split('\n');
  const prompts = lines.flatMap((line, i) => (PROMPT_LINE.test(line) ? [i] : []));
  const steps: Step[] = [];
  let next = 0;
  tour.split('\n').forEach((raw, index) => {
    const text = raw.replace(/\r$/, '');
    if (text.trimStart().startsWith('#>')) {
      const step = steps.at(-1);
      if (!step) throw new Error(`tour line ${index + 1}: an expectation before any command`);
      step.expected.push(text.trimStart().slice(2).trim());
      return;
    }
    if (text.trimStart().startsWith('#') || text.trim() === '') return;
    const at = prompts[next];
    if (at === undefined || lines[at]?.replace(PROMPT_LINE, '') !== text.trim()) return;
    const end = prompts[next + 1] ?? lines.length;
    steps.push({ command: text.trim(), line: index + 1, expected: [], answer: lines.slice(at, end).join('\n') });
    next += 1;
  });
  return steps;
}

describe('docs/shell-demo.txt, the guided tour', { timeout: 150_000 }, () => {
  let tmp = '';
  let tour = '';
  let run: ShellRun;
  let steps: Step[];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-shell-tour-'));
    tour = fs.readFileSync(path.join(ROOT, 'docs/shell-demo.txt'), 'utf8');
    run = await runShell(tour, [], tmp, 140_000);
    steps = stepsOf(tour, run.stdout);
  }, 150_000);
  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('when the tour is piped into the shell, then it runs to its end, and every command ran as a command', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const commands = tour
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))
      .filter((l) => /^(\/|as |in |press |wait |cards|home|buttons|show)/.test(l.trim()));
    // Each of these lines is typed at the prompt (none was swallowed as a modal's answer).
    expect(steps.map((s) => s.command)).toEqual(commands.map((l) => l.trim()));
    for (const trouble of [
      'Unknown command',
      'the shell could not',
      'did not acknowledge',
      'No button',
      'cannot see that message',
      'answers were refused',
      'no longer on',
      'is gone',
      '(nothing visible happened)',
    ]) {
      expect(run.stdout).not.toContain(trouble);
    }
  });

  it('when the tour is piped into the shell, then each step prints what the tour says it does', () => {
    const missing: string[] = [];
    for (const step of steps) {
      for (const fragment of step.expected) {
        if (!loose(step.answer).includes(loose(fragment)))
          missing.push(`line ${step.line} \`${step.command}\`: expected “${fragment}” in\n${step.answer}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('when the tour is read, then every step but a change of person or place says what it should print', () => {
    const silent = steps.filter((s) => s.expected.length === 0 && !/^(as|in) /.test(s.command));
    expect(silent.map((s) => `line ${s.line}: ${s.command}`)).toEqual([]);
  });

  it('when the tour is piped in, then it shows the flows it promises: a reminder and an expiry on the simulated clock, a withdrawal, history, filters sent as mentions', () => {
    const byCommand = (prefix: string) => steps.filter((s) => s.command.startsWith(prefix));
    const waits = byCommand('wait ');
    // The reminder comes as a reply in the request's thread; the expiry updates the request itself.
    expect(waits.some((s) => / in the thread of msg \d+/.test(s.answer))).toBe(true);
    expect(waits.some((s) => /\[updated · public in #card-approvals\][\s\S]*expired/i.test(s.answer))).toBe(true);
    expect(byCommand('press Withdraw')).toHaveLength(1);
    expect(byCommand('/card history ')).toHaveLength(1);
    const audit = byCommand('/card-audit user:@alice channel:#support')[0];
    expect(audit?.answer).toContain('<@U0AGENT01|alice>');
    expect(audit?.answer).toContain('<#C0SUPPORT|support>');
    // The filter found alice's events in #support: at least her block of card-active-1.
    expect(audit?.answer).toMatch(/card-active-1/);
  });

  it('when the tour exports the audit log, then the file Slack received is saved in the temporary folder, as printed', () => {
    const exported = steps.find((s) => s.command.startsWith('/card-audit export'))?.answer ?? '';
    const match = /📎 file “([^”]+\.csv)” \([^)]+\) saved to (\S+)\n\s+│ (.*)/.exec(exported);
    expect(match).not.toBeNull();
    const [, name, saved, firstLine] = match ?? [];
    expect(saved?.startsWith(fs.realpathSync(tmp)) || saved?.startsWith(tmp)).toBe(true);
    expect(path.basename(saved ?? '')).toBe(name);
    const csv = fs.readFileSync(saved ?? '', 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe(firstLine);
  });
});
