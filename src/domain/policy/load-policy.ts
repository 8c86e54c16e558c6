import { readFile } from 'node:fs/promises';
import type { Logger } from '../../logger.js';
import { type Policy, type PolicyResult, parsePolicy } from './policy-schema.js';

/** Reads and validates the policy file; a missing or unreadable file is one problem line naming the path. */
export async function loadPolicyFile(path: string): Promise<PolicyResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return {
        ok: false,
        problems: [
          `${path}: policy file not found. To start, copy policy.example.yml to ${path} and put your team's Slack user ids in it (or set POLICY_FILE to where your policy is)`,
        ],
      };
    }
    if (code === 'EISDIR') return { ok: false, problems: [`${path}: is a directory, not a policy file`] };
    return { ok: false, problems: [`${path}: cannot read the policy file (${code ?? 'unknown error'})`] };
  }
  return parsePolicy(text, path);
}

export interface PolicyStore {
  /** The policy in force: the last one that loaded without a problem. */
  current(): Policy;
  /** Re-reads the file; on any problem logs it and keeps the policy in force. True when the new one applies. */
  reload(): Promise<boolean>;
}

/**
 * Holds the policy in force for a running bot. Re-reading (on SIGHUP, a file watch, …) never
 * leaves the bot without a policy: a file that cannot be read or is invalid keeps the last good one.
 */
export function createPolicyStore(options: { path: string; initial: Policy; logger: Logger }): PolicyStore {
  const { path, logger } = options;
  let policy = options.initial;
  // Reloads run one after another: two overlapping reads could otherwise apply the older file last.
  let queue: Promise<unknown> = Promise.resolve();
  const reloadNow = async (): Promise<boolean> => {
    const result = await loadPolicyFile(path);
    if (!result.ok) {
      logger.error(
        { policyFile: path, problems: result.problems },
        'policy not reloaded: %d problem(s); keeping the last good policy',
        result.problems.length,
      );
      return false;
    }
    for (const warning of result.warnings) logger.warn({ policyFile: path }, warning);
    policy = result.policy;
    logger.info({ policyFile: path }, 'policy reloaded');
    return true;
  };
  return {
    current: () => policy,
    reload() {
      const next = queue.then(reloadNow, reloadNow);
      queue = next;
      return next;
    },
  };
}
