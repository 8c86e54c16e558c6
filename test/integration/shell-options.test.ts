import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { answerTo, ROOT, runShell } from '../helpers/run-shell.js';

/** `npm run shell -- --policy FILE --ttl DURATION`, run as a person would, a script on stdin. */
describe('npm run shell with --policy and --ttl', { timeout: 240_000 }, () => {
  let tmp: string | undefined;
  const folder = () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cardops-shell-options-'));
    return tmp;
  };
  afterEach(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('when started with a policy of one reveal an hour, then the banner names it, a second reveal is refused, and an hour later on the simulated clock it is allowed', async () => {
    const dir = folder();
    const policy = path.join(dir, 'tight-policy.yml');
    const example = fs.readFileSync(path.join(ROOT, 'policy.example.yml'), 'utf8');
    expect(example).toContain('reveals_per_hour: 20');
    expect(example).toContain('users: [U0SENIOR1]');
    fs.writeFileSync(
      policy,
      example
        .replace('reveals_per_hour: 20', 'reveals_per_hour: 1')
        .replace('users: [U0SENIOR1]', 'users: [U0SENIOR1, U0MANAGER]'),
    );
    const script = [
      'as carol',
      'in #secure-support',
      '/card pan card-active-1',
      'press Reveal',
      '/card expiry card-active-1',
      'wait 61m',
      '/card expiry card-active-1',
    ].join('\n');
    const run = await runShell(`${script}\n`, ['--policy', policy], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Policy: ${policy}.`);
    // Who holds which role is read from this policy: mallory is a senior here too.
    expect(run.stdout).toMatch(/mallory\s+U0MANAGER\s+senior, manager/);
    const refused = answerTo(run.stdout, '/card expiry card-active-1', 1);
    expect(refused).not.toMatch(/\[\d+\] Reveal/);
    expect(refused).toMatch(/hour/);
    expect(answerTo(run.stdout, 'wait 61m')).toMatch(/1h 1m passed/);
    expect(answerTo(run.stdout, '/card expiry card-active-1', 2)).toMatch(/\[\d+\] Reveal/);
  });

  it('when started with --ttl 10m, then a cancel request is reminded at 7m30s and expires at 10m of simulated time', async () => {
    const dir = folder();
    const script = ['/card cancel card-active-4 card retained by an ATM', 'wait 7m', 'wait 1m', 'wait 2m'].join('\n');
    const run = await runShell(`${script}\n`, ['--ttl', '10m'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cancel requests wait 10m');
    const filed = answerTo(run.stdout, '/card cancel card-active-4 card retained by an ATM');
    const request = /\[public in #card-approvals\] \(msg (\d+)\)/.exec(filed)?.[1];
    expect(request).toBeDefined();
    // Nothing is due before three quarters of the ttl.
    expect(answerTo(run.stdout, 'wait 7m')).not.toContain('#card-approvals');
    const reminded = answerTo(run.stdout, 'wait 1m');
    expect(reminded).toContain(
      `[public in #card-approvals] (msg ${Number(request) + 2}) in the thread of msg ${request}`,
    );
    expect(reminded).toContain('card-active-4');
    expect(reminded).not.toContain('[updated');
    const expired = answerTo(run.stdout, 'wait 2m');
    expect(expired).toContain(`[updated · public in #card-approvals] (msg ${request})`);
    expect(expired).toMatch(/expired/i);
    // The decided message drops its buttons and its "Expires" field.
    const updated = expired.slice(expired.indexOf(`(msg ${request})`)).split('\n[')[0] ?? '';
    expect(updated).not.toMatch(/\[\d+\] Approve/);
    expect(updated).not.toContain('*Expires*');
    expect(expired).toContain('[ephemeral → alice in #support]');
  });

  it('when the policy file is bad or missing, or --ttl is not a duration, then one clear line on stderr and exit 2, no stack trace', async () => {
    const dir = folder();
    const broken = path.join(dir, 'broken.yml');
    fs.writeFileSync(broken, 'roles: [\n  agent: x\n');
    const unknownOp = path.join(dir, 'unknown-op.yml');
    const example = fs.readFileSync(path.join(ROOT, 'policy.example.yml'), 'utf8');
    fs.writeFileSync(unknownOp, example.replace('  history: [agent, senior]', '  frobnicate: [agent]'));
    const noApprovals = path.join(dir, 'no-approvals.yml');
    fs.writeFileSync(noApprovals, example.slice(0, example.indexOf('approvals:\n  cancel:')));
    for (const [args, says] of [
      [['--policy', broken], /broken\.yml: line \d+, column \d+: YAML syntax error/],
      [['--policy', unknownOp], /unknown-op\.yml/],
      [['--policy', path.join(dir, 'missing.yml')], /missing\.yml: policy file not found/],
      [['--policy', noApprovals, '--ttl', '10m'], /no approvals\.cancel section/],
    ] as const) {
      const run = await runShell('/card whoami\n', [...args], dir);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^cardops shell: /);
      expect(lines[0]).toMatch(says);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const badTtl = await runShell('', ['--ttl', 'soon'], dir);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr.split('\n')[0]).toBe(
      'cardops shell: --ttl must be a duration from 1m to 7d, like 10m, 2h or 1d, not "soon"',
    );
  });
});
