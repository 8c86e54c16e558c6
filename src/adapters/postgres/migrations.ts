import type pg from 'pg';
import { GENESIS_HASH } from '../../domain/audit/hash-chain.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * The PostgreSQL schema, as an append-only list of steps like the SQLite one: step N brings the
 * database to `schema_version.version = N`. A released step is never edited: a change is a new step.
 * Timestamps are ISO-8601 UTC text with milliseconds, as on SQLite, so rows hash the same on both
 * engines and compare as strings.
 */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

const AUDIT_V1 = `
-- SPEC §7. ids are given by the writer under the chain-head lock (the hash covers the id).
-- replica: who wrote the row (recovery of a crashed replica's calls); not part of the hash.
CREATE TABLE audit (
  id          bigint PRIMARY KEY,
  ts          text NOT NULL,
  actor       text NOT NULL,
  team_id     text,
  channel_id  text,
  op          text NOT NULL,
  card_id     text,
  outcome     text NOT NULL,
  reason      text,
  approval_id text,
  trace_id    text,
  error       text,
  prev_hash   text NOT NULL,
  hash        text NOT NULL,
  replica     text
);

-- One row: the end of the chain. Every append locks it (SELECT … FOR UPDATE), so appends from
-- every replica are serialised and commit in id order: the chain is gap-free in commit order.
CREATE TABLE audit_head (
  one       boolean PRIMARY KEY DEFAULT true CHECK (one),
  last_id   bigint NOT NULL,
  last_hash text NOT NULL,
  last_ts   text NOT NULL
);
INSERT INTO audit_head (one, last_id, last_hash, last_ts) VALUES (true, 0, '${GENESIS_HASH}', '');

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only';
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- As on SQLite: every filter is equalities plus an id range (since/until become ids through
-- audit_ts_id), so "(column, id)" serves both the filter and the newest-first order.
CREATE INDEX audit_actor_id      ON audit (actor, id);
CREATE INDEX audit_card_id       ON audit (card_id, id);
CREATE INDEX audit_op_id         ON audit (op, id);
CREATE INDEX audit_op_outcome_id ON audit (op, outcome, id);
CREATE INDEX audit_outcome_id    ON audit (outcome, id);
CREATE INDEX audit_channel_id    ON audit (channel_id, id);
CREATE INDEX audit_ts_id         ON audit (ts, id);
`;

const APPROVALS_V2 = `
-- SPEC §6, as on SQLite. owner: the replica that claimed the request (recovery spares live ones).
CREATE TABLE approvals (
  id              text PRIMARY KEY,
  op              text NOT NULL CHECK (op IN ('cancel')),
  card_id         text NOT NULL,
  requester       text NOT NULL,
  team_id         text,
  request_channel text,
  reason          text NOT NULL,
  state           text NOT NULL
    CHECK (state IN ('pending', 'executing', 'done', 'failed', 'unknown', 'rejected', 'expired')),
  created_at      text NOT NULL,
  expires_at      text NOT NULL,
  decided_by      text,
  decided_at      text,
  decision_reason text,
  message_channel text,
  message_ts      text,
  trace_id        text,
  error           text,
  owner           text
);

-- At most one live request per card, whichever replica files it.
CREATE UNIQUE INDEX approvals_live_card ON approvals (card_id) WHERE state IN ('pending', 'executing');
CREATE INDEX approvals_state_expires ON approvals (state, expires_at);
CREATE INDEX approvals_requester ON approvals (requester, created_at);
`;

const SHARED_V3 = `
-- Delivery ids seen lately (digests, never Slack's ids), shared so a replay to any replica is dropped.
CREATE TABLE replay_ids (
  key        text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX replay_ids_expires ON replay_ids (expires_at);

-- Every replica's heartbeat, by the database's clock.
CREATE TABLE replicas (
  id         text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  beat_at    timestamptz NOT NULL
);
`;

const REVEAL_OFFERS_V4 = `
-- SPEC §9, as on SQLite: a Reveal button's offer (no secret, no response_url), taken once by its owner.
CREATE TABLE reveal_offers (
  id         text PRIMARY KEY,
  user_id    text NOT NULL,
  op         text NOT NULL CHECK (op IN ('pan', 'cvv', 'expiry', 'pin')),
  card_id    text NOT NULL,
  channel_id text NOT NULL,
  team_id    text,
  expires_at bigint NOT NULL
);
CREATE INDEX reveal_offers_expires ON reveal_offers (expires_at);
`;

const AUDIT_HEAD_ONLY_V5 = `
-- SPEC §7: no connection may rewrite a stored row. UPDATE, DELETE and TRUNCATE are refused by the
-- triggers of step 1 (and an UPSERT's update half with them); this one accepts a new row only at
-- the head of the chain: one past the last id, linked to the last row's hash. Rows of one batch
-- insert see the rows inserted before them in the same statement, so a batch chains as it goes.
CREATE FUNCTION audit_insert_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_id bigint;
  last_hash text;
BEGIN
  SELECT id, hash INTO last_id, last_hash FROM audit ORDER BY id DESC LIMIT 1;
  IF NEW.id IS DISTINCT FROM coalesce(last_id, 0) + 1
     OR NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '${GENESIS_HASH}') THEN
    RAISE EXCEPTION 'audit log is append-only: a row may only be added at the head of the chain';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER audit_insert_at_head BEFORE INSERT ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_insert_at_head();
`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: 'audit log', sql: AUDIT_V1 },
  { version: 2, name: 'approvals', sql: APPROVALS_V2 },
  { version: 3, name: 'replay ids and replicas', sql: SHARED_V3 },
  { version: 4, name: 'reveal offers', sql: REVEAL_OFFERS_V4 },
  { version: 5, name: 'audit rows only at the head', sql: AUDIT_HEAD_ONLY_V5 },
];

/** The schema version this code writes and understands. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

// Any constant: the advisory lock every replica takes to migrate, so two starting together do not race.
const MIGRATION_LOCK = 0x63617264; // 'card'

/**
 * Brings the schema up to date in one transaction under an advisory lock: a replica starting
 * beside another waits, then finds the work done. A database written by a newer cardops is
 * refused (CONFIG_INVALID; main exits 4 as for SQLite).
 */
export async function migratePostgres(
  pool: pg.Pool,
  options: { logger?: Logger; migrations?: readonly PgMigration[] } = {},
): Promise<{ from: number; to: number }> {
  const migrations = options.migrations ?? PG_MIGRATIONS;
  const known = migrations.at(-1)?.version ?? 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Created only when missing: the bot's role may lack CREATE on the schema (its minimal grants,
      // docs/operations/replicas.md), and CREATE … IF NOT EXISTS checks that right even when the table exists.
      const exists = await client.query("SELECT to_regclass('schema_version') IS NOT NULL AS found");
      if (!exists.rows[0]?.found) await client.query('CREATE TABLE schema_version (version integer NOT NULL)');
      const found = await client.query<{ version: number }>('SELECT version FROM schema_version');
      const current = found.rows[0]?.version ?? 0;
      if (current > known) {
        throw new AppError(
          'CONFIG_INVALID',
          `database schema version ${current} is newer than this cardops (${known}); upgrade cardops`,
          {
            userMessage: `The database was written by a newer cardops (schema ${current}, this one knows ${known}).`,
          },
        );
      }
      const pending = migrations.filter((m) => m.version > current);
      for (const step of pending) await client.query(step.sql);
      if (found.rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [known]);
      else if (pending.length > 0) await client.query('UPDATE schema_version SET version = $1', [known]);
      await client.query('COMMIT');
      if (pending.length > 0) {
        options.logger?.info(
          { from: current, to: known, steps: pending.map((m) => m.name) },
          'database schema migrated',
        );
      }
      return { from: current, to: known };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}
