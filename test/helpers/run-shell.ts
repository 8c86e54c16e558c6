import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The shell's command prompt as a script echoes it: `alice@#support> `, `mallory@dm> `. */
export const PROMPT_LINE = /^[\w-]+@(#[\w-]+|dm|[A-Z0-9]+)> /;

export interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run shell`'s entry point with a script on stdin, as `npm run shell < script` does.
 * Generous: a loaded machine may take long; only a shell that hangs is killed.
 */
export function runShell(script: string, args: string[], tmp: string, killAfterMs = 100_000): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/shell/main.ts', ...args], {
      cwd: ROOT,
      // TMPDIR: the temporary database and the received files land where the test cleans up.
      env: { PATH: process.env.PATH ?? '', TMPDIR: tmp },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(script);
  });
}

/** What the shell printed in answer to one echoed command line, up to the next prompt. */
export function answerTo(transcript: string, command: string, occurrence = 1): string {
  const lines = transcript.split('\n');
  let seen = 0;
  const start = lines.findIndex(
    (line) => PROMPT_LINE.test(line) && line.replace(PROMPT_LINE, '') === command && ++seen === occurrence,
  );
  if (start < 0) throw new Error(`command not in the transcript: ${command}\n${transcript}`);
  const end = lines.findIndex((line, i) => i > start && PROMPT_LINE.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}
