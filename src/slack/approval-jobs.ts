import type { WebClient } from '@slack/web-api';
import { slackErrorCode } from '../adapters/slack/usergroups.js';
import type { ApprovalNotifier, PostProblem } from '../domain/approvals/approval-ports.js';
import { isFinal } from '../domain/approvals/approval-rules.js';
import type { ApprovalRequest } from '../domain/approvals/approval-types.js';
import { type Recovery, recoverInterrupted } from '../domain/approvals/recover-interrupted.js';
import { remindDue } from '../domain/approvals/remind-due.js';
import { sweepExpired } from '../domain/approvals/sweep-expired.js';
import { type Clock, every, realClock } from '../domain/clock.js';
import type { ListenerDeps } from './deps.js';
import { postToResponseUrl } from './response-urls.js';
import {
  approverMentions,
  buildApprovalMessage,
  buildLateOutcomeNote,
  buildReminder,
  buildRequesterNotice,
} from './views/approval-message.js';

/** How often pending requests past their ttl are expired and their messages updated. */
export const SWEEP_EVERY_MS = 30_000;

/**
 * The approval workflow as Slack shows it: the public message in the approvals channel, and the
 * requester's notices. The requester's response_url is kept in the vault (memory only, never the
 * database) under the request id; when it is gone (30 minutes, or a restart) the requester gets an
 * ephemeral message in the channel where they asked, else a DM (no secret is ever in these).
 */
export function createApprovalNotifier(
  deps: ListenerDeps,
  client: WebClient,
  asker: { responseUrl?: string | undefined } = {},
): ApprovalNotifier {
  const options = { sandbox: deps.sandbox };
  return {
    async post(request, channel) {
      if (asker.responseUrl) {
        const handle = deps.vault.keep(asker.responseUrl, {
          userId: request.requester,
          channelId: request.requestChannel ?? '',
        });
        deps.requesterReplies.set(request.id, handle);
      }
      const message = buildApprovalMessage(request, options);
      try {
        const answer = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
        if (!answer.ts) throw Object.assign(new Error('chat.postMessage answered without a ts'), { code: 'no_ts' });
        return { ok: true, channel: answer.channel ?? channel, ts: answer.ts };
      } catch (error) {
        deps.requesterReplies.delete(request.id);
        const code = slackErrorCode(error);
        const problem: PostProblem = code === 'not_in_channel' || code === 'channel_not_found' ? code : 'other';
        return { ok: false, problem, error: code };
      }
    },

    async refresh(request) {
      if (!request.messageChannel || !request.messageTs) return;
      const message = buildApprovalMessage(request, options);
      try {
        await client.chat.update({
          channel: request.messageChannel,
          ts: request.messageTs,
          text: message.text,
          blocks: message.blocks,
        });
      } catch (error) {
        deps.logger.warn(
          { approvalId: request.id, state: request.state, slackError: slackErrorCode(error) },
          'approval message could not be updated',
        );
      }
    },

    async remind(request) {
      if (!request.messageChannel || !request.messageTs) return;
      const message = buildReminder(request, approverMentions(deps.policy.current(), request.requester), options);
      try {
        await client.chat.postMessage({
          channel: request.messageChannel,
          thread_ts: request.messageTs,
          text: message.text,
          blocks: message.blocks,
        });
      } catch (error) {
        deps.logger.warn({ approvalId: request.id, slackError: slackErrorCode(error) }, 'reminder could not be posted');
      }
    },

    async noteLateOutcome(request) {
      if (!request.messageChannel || !request.messageTs) return;
      const note = buildLateOutcomeNote(request, options);
      try {
        await client.chat.postMessage({
          channel: request.messageChannel,
          thread_ts: request.messageTs,
          text: note.text,
          blocks: note.blocks,
        });
      } catch (error) {
        deps.logger.warn(
          { approvalId: request.id, slackError: slackErrorCode(error) },
          'the late outcome could not be posted in the approval thread',
        );
      }
    },

    async tellRequester(request) {
      if (!isFinal(request)) return;
      const message = buildRequesterNotice(request, options);
      const handle = deps.requesterReplies.get(request.id);
      deps.requesterReplies.delete(request.id);
      const kept = handle ? deps.vault.take(handle, request.requester) : undefined;
      if (kept) {
        try {
          await postToResponseUrl(kept.url, {
            response_type: 'ephemeral',
            replace_original: false,
            text: message.text,
            blocks: message.blocks,
          });
          return;
        } catch (error) {
          deps.logger.info(
            { err: error, approvalId: request.id },
            'response_url refused the notice; trying an ephemeral post',
          );
        }
      }
      if (request.requestChannel && !request.requestChannel.startsWith('D')) {
        try {
          await client.chat.postEphemeral({
            channel: request.requestChannel,
            user: request.requester,
            text: message.text,
            blocks: message.blocks,
          });
          return;
        } catch (error) {
          deps.logger.info(
            { approvalId: request.id, slackError: slackErrorCode(error) },
            'ephemeral notice refused; trying a DM',
          );
        }
      }
      try {
        const opened = await client.conversations.open({ users: request.requester });
        const dm = opened.channel?.id;
        if (!dm) throw new Error('conversations.open gave no channel');
        await client.chat.postMessage({ channel: dm, text: message.text, blocks: message.blocks });
      } catch (error) {
        deps.logger.warn(
          { approvalId: request.id, slackError: slackErrorCode(error) },
          'the requester could not be told how their request ended',
        );
      }
    },
  };
}

export interface ApprovalJobs {
  /** At start-up: requests left mid-call become `unknown` (never re-run); unposted ones are voided. Never throws. */
  recover(options?: { spare?: readonly string[] }): Promise<Recovery>;
  /** Starts the periodic expiry sweep and reminders (on the clock's timers: they never keep the process alive). */
  start(): void;
  stop(): void;
  /** Runs one sweep now (tests, and clicks on a request found past its ttl); concurrent calls share it. */
  sweepNow(): Promise<ApprovalRequest[]>;
}

/** The approval work no single click owns: the expiry sweep and the recovery at start-up. */
export function createApprovalJobs(
  deps: ListenerDeps,
  client: WebClient,
  options: { sweepEveryMs?: number; clock?: Clock } = {},
): ApprovalJobs {
  const notifier = createApprovalNotifier(deps, client);
  let stopTimer: (() => void) | undefined;
  let sweeping: Promise<ApprovalRequest[]> | undefined;

  /** Runs as a tracked task, so shutdown and tests wait for it. */
  const tracked = <T>(name: string, work: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      deps.tasks.run(name, async () => {
        try {
          resolve(await work());
        } catch (error) {
          reject(error);
          throw error;
        }
      });
    });

  const sweepNow = () => {
    sweeping ??= tracked('approval expiry sweep', async () => {
      const expired = await sweepExpired(deps, notifier);
      await remindDue(deps, notifier);
      return expired;
    }).finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  };

  return {
    recover: async (recoverOptions = {}) => {
      try {
        return await tracked('approval recovery', () => recoverInterrupted(deps, notifier, recoverOptions));
      } catch (error) {
        // Still safe to serve: a request left `executing` can never be claimed, so never run, again.
        deps.logger.error(
          { err: error },
          'approval recovery failed; interrupted cancels stay executing until it succeeds',
        );
        return { interrupted: [], unposted: [] };
      }
    },
    start() {
      if (stopTimer) return;
      stopTimer = every(options.clock ?? realClock, options.sweepEveryMs ?? SWEEP_EVERY_MS, () => {
        sweepNow().catch(() => {
          // Already logged by the task tracker; the next tick tries again.
        });
      });
    },
    stop() {
      stopTimer?.();
      stopTimer = undefined;
    },
    sweepNow,
  };
}
