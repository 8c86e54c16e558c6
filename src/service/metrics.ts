import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { CARD_OPS } from '../domain/ops.js';

/**
 * cardops' Prometheus metrics (GET /metrics). Every label value comes from a closed list
 * (operations, outcomes, delivery kinds): never a card id, a user id, a channel, free text or a
 * secret, so nothing a user types can reach a label, and the series count stays bounded.
 */

/** Ops that are not card operations but are audited. */
const OTHER_OPS = ['audit', 'approval', 'command'] as const;
const KNOWN_OPS = new Set<string>([...CARD_OPS, ...OTHER_OPS]);

/** An op for a label: a known name, else `other` (a denied `/card <anything>` must not mint a series). */
export function opLabel(op: string): string {
  return KNOWN_OPS.has(op) ? op : 'other';
}

export interface Metrics {
  readonly registry: Registry;
  /** Audit outcome rows by op: the commands and what became of them. */
  readonly operations: Counter<'op' | 'outcome'>;
  readonly issuerCalls: Histogram<'op' | 'outcome'>;
  readonly acks: Counter<'kind'>;
  readonly auditAppend: Histogram;
  readonly reveals: Counter<'op'>;
  readonly staleUserGroups: Gauge;
  readonly pendingApprovals: Gauge;
  /** Full GCs run by the idle collector after a busy spell (src/service/idle-gc.ts). */
  readonly idleCollections: Counter;
  /** Read at each scrape; the app fills them in once its stores and resolver exist. */
  readonly sources: {
    /** How many cancel requests wait for an approver. */
    pendingApprovals?: () => number | Promise<number>;
    /** How many user groups count as empty because their members are too old. */
    staleUserGroups?: () => number;
  };
}

export interface MetricsOptions {
  /** Node's default process metrics (event-loop delay, heap, GC); off in tests that build many apps. */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) {
    // Includes nodejs_eventloop_lag_seconds and its p50/p90/p99 (monitorEventLoopDelay), heap and GC.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  }
  const sources: Metrics['sources'] = {};
  return {
    registry,
    sources,
    operations: new Counter({
      name: 'cardops_operations_total',
      help: 'Audited events by operation and outcome (started, ok, failed, unknown, denied, invalid, revealed, …)',
      labelNames: ['op', 'outcome'],
      registers: [registry],
    }),
    issuerCalls: new Histogram({
      name: 'cardops_issuer_call_seconds',
      help: 'Issuer call latency by operation and outcome (ok, failed, unknown, refused_credentials)',
      labelNames: ['op', 'outcome'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    acks: new Counter({
      name: 'cardops_acks_total',
      help: 'Deliveries from Slack acknowledged, by kind (command, interaction, event)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    auditAppend: new Histogram({
      name: 'cardops_audit_append_seconds',
      help: 'Time for an audit row to be durably written',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
      registers: [registry],
    }),
    reveals: new Counter({
      name: 'cardops_reveals_total',
      help: 'Secrets shown to an asker, by operation',
      labelNames: ['op'],
      registers: [registry],
    }),
    staleUserGroups: new Gauge({
      name: 'cardops_usergroups_stale',
      help: 'Slack user groups counted as empty because their last-known members are older than USERGROUP_MAX_STALE',
      registers: [registry],
      collect() {
        if (sources.staleUserGroups) this.set(sources.staleUserGroups());
      },
    }),
    pendingApprovals: new Gauge({
      name: 'cardops_approvals_pending',
      help: 'Cancel requests waiting for an approver',
      registers: [registry],
      async collect() {
        if (sources.pendingApprovals) this.set(await sources.pendingApprovals());
      },
    }),
    idleCollections: new Counter({
      name: 'cardops_idle_collections_total',
      help: 'Full garbage collections run once the process was idle after a busy spell, to give its memory back',
      registers: [registry],
    }),
  };
}
