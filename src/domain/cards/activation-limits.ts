import type { AuditRow, AuditStore } from '../audit/audit-types.js';
import type { PolicyLimits } from '../policy/policy-schema.js';
import { ACTIVATION_MAX_FAILURES, ACTIVATION_WINDOW_MS, activationLockedUntil } from './card-check.js';

/**
 * The card-in-hand activation check's budgets (SPEC §4 `limits`, §5 `activate`), counted from
 * audit rows so that every replica sees the same counts:
 * - per card over its life: `activation_checks_per_card`, until an approver clears the lock;
 * - per card per hour: ACTIVATION_MAX_FAILURES checks lock it for an hour;
 * - per agent per hour, across cards: `activation_checks_per_hour`.
 * Every check counts, whatever it found: a check whose details matched on a card the issuer then
 * refused to activate must cost what a mismatch costs, or the counts would tell them apart.
 */

/** The audit outcomes of a check (one row per check). */
export const CHECK_OUTCOMES: ReadonlySet<string> = new Set(['matched', 'mismatched']);

const HOUR_MS = 60 * 60_000;
const PAGE = 200;
const MAX_PAGES = 5;

export type ActivationBlock =
  /** The card has had its lifetime checks: an approver must clear the lock. */
  | { why: 'card-life'; checks: number }
  /** ACTIVATION_MAX_FAILURES checks within an hour: locked until then. */
  | { why: 'card-hour'; until: Date }
  /** The agent has used their checks of the hour: they may check again from then. */
  | { why: 'agent-hour'; until: Date; checks: number };

export interface ActivationStanding {
  /** Why a check may not run now; undefined when it may. */
  block: ActivationBlock | undefined;
  /** Checks of this card since its lock was last cleared. */
  cardChecks: number;
  /** The agent's checks within the last hour, and when they may check again once at the limit. */
  agentChecks: number;
  agentFreeAt: Date | undefined;
  /** Checks left before each limit is reached (0 when reached). */
  left: { cardLife: number; cardHour: number; agentHour: number };
}

export interface ActivationLimits {
  perCard: PolicyLimits['activationChecksPerCard'];
  perAgentHour: PolicyLimits['activationChecksPerHour'];
}

/** Where a card and an agent stand, from the times of their checks. Pure: the rows are read by the caller. */
export function activationStanding(input: {
  /** The card's checks since its lock was last cleared. */
  cardChecks: readonly Date[];
  /** The agent's checks, on any card, within the last hour. */
  agentChecks: readonly Date[];
  limits: ActivationLimits;
  now: Date;
}): ActivationStanding {
  const { cardChecks, limits, now } = input;
  const nowMs = now.getTime();
  const agent = input.agentChecks.map((d) => d.getTime()).filter((t) => t > nowMs - HOUR_MS && t <= nowMs);
  agent.sort((a, b) => a - b);
  const inWindow = cardChecks.filter((d) => d.getTime() > nowMs - ACTIVATION_WINDOW_MS).length;
  const left = {
    cardLife: Math.max(0, limits.perCard - cardChecks.length),
    cardHour: Math.max(0, ACTIVATION_MAX_FAILURES - inWindow),
    agentHour: Math.max(0, limits.perAgentHour - agent.length),
  };
  // At the limit, the agent may check again once enough of their checks have left the hour.
  const freedBy = agent.length >= limits.perAgentHour ? agent[agent.length - limits.perAgentHour] : undefined;
  const agentFreeAt = freedBy === undefined ? undefined : new Date(freedBy + HOUR_MS);
  let block: ActivationBlock | undefined;
  const hourLock = activationLockedUntil(cardChecks, now);
  if (cardChecks.length >= limits.perCard) block = { why: 'card-life', checks: cardChecks.length };
  else if (hourLock) block = { why: 'card-hour', until: hourLock };
  else if (agentFreeAt) block = { why: 'agent-hour', until: agentFreeAt, checks: agent.length };
  return { block, cardChecks: cardChecks.length, agentChecks: agent.length, agentFreeAt, left };
}

/**
 * The times of a card's checks since its activation lock was last cleared (an `activate` row with
 * outcome `cleared`), newest first. Reads at most MAX_PAGES pages of the card's activation rows.
 */
export async function cardChecksSinceCleared(audit: Pick<AuditStore, 'query'>, cardId: string): Promise<Date[]> {
  const times: Date[] = [];
  let before: number | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { rows, nextCursor } = await audit.query(
      { cardId, op: 'activate' },
      before === undefined ? { limit: PAGE } : { limit: PAGE, before },
    );
    for (const row of rows) {
      if (row.outcome === 'cleared') return times;
      if (CHECK_OUTCOMES.has(row.outcome)) times.push(new Date(row.ts));
    }
    if (nextCursor === undefined) break;
    before = nextCursor;
  }
  return times;
}

/** The times of an agent's checks, on any card, within the hour before `now`. */
export async function agentChecksWithinHour(
  audit: Pick<AuditStore, 'query'>,
  actor: string,
  now: Date,
): Promise<Date[]> {
  const since = new Date(now.getTime() - HOUR_MS).toISOString();
  const { rows } = await audit.query({ actor, op: 'activate', since }, { limit: 1000 });
  return rows.filter((row) => CHECK_OUTCOMES.has(row.outcome)).map((row) => new Date(row.ts));
}

/** Where this agent and this card stand now, from the audit. */
export async function readActivationStanding(
  audit: Pick<AuditStore, 'query'>,
  request: { cardId: string; actor: string; limits: ActivationLimits; now: Date },
): Promise<ActivationStanding> {
  const [cardChecks, agentChecks] = await Promise.all([
    cardChecksSinceCleared(audit, request.cardId),
    agentChecksWithinHour(audit, request.actor, request.now),
  ]);
  return activationStanding({ cardChecks, agentChecks, limits: request.limits, now: request.now });
}

/** The policy's limits as the activation check reads them. */
export function activationLimitsOf(limits: PolicyLimits): ActivationLimits {
  return { perCard: limits.activationChecksPerCard, perAgentHour: limits.activationChecksPerHour };
}

/** Ops whose success means the card is past activation (the issuer would refuse to activate it). */
const PAST_ACTIVATION = ['activate', 'block', 'unblock', 'cancel'] as const;

/**
 * cardops' own record that the card is past activation: its newest successful activate, block,
 * unblock or cancel. Then an activation can only be refused, and no check is worth running.
 */
export async function pastActivation(audit: Pick<AuditStore, 'query'>, cardId: string): Promise<AuditRow | undefined> {
  const found = await Promise.all(
    PAST_ACTIVATION.map(async (op) => (await audit.query({ cardId, op, outcome: 'ok' }, { limit: 1 })).rows[0]),
  );
  return found
    .filter((row): row is AuditRow => row !== undefined)
    .sort((a, b) => b.id - a.id)
    .at(0);
}

/** Cards whose activation is locked for their lifetime, newest lock first: what an approver may clear. */
export async function cardsLockedForLife(
  audit: Pick<AuditStore, 'query'>,
  perCard: number,
  max = 10,
): Promise<{ cardId: string; lockedAt: string; checks: number }[]> {
  const { rows } = await audit.query({ op: 'activate', outcome: 'limited' }, { limit: 200 });
  const seen = new Set<string>();
  const locked: { cardId: string; lockedAt: string; checks: number }[] = [];
  for (const row of rows) {
    if (!row.cardId || seen.has(row.cardId)) continue;
    seen.add(row.cardId);
    const checks = await cardChecksSinceCleared(audit, row.cardId);
    if (checks.length >= perCard) locked.push({ cardId: row.cardId, lockedAt: row.ts, checks: checks.length });
    if (locked.length >= max) break;
  }
  return locked;
}
