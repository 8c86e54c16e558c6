/**
 * The schema, as an append-only list of steps. Step N brings the database to
 * `PRAGMA user_version = N`. A released step is never edited: a change is a new step.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const AUDIT_V1 = `
-- SPEC §7. ids are given by the writer (the hash covers the id); AUTOINCREMENT keeps
-- sqlite_sequence at the highest id ever written, so rows cut from the tail are detectable.
CREATE TABLE audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  ts          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  team_id     TEXT,
  channel_id  TEXT,
  op          TEXT NOT NULL,
  card_id     TEXT,
  outcome     TEXT NOT NULL,
  reason      TEXT,
  approval_id TEXT,
  trace_id    TEXT,
  error       TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;

-- Every filter is an equality plus an id range (since/until are turned into ids through
-- audit_ts), so "(column, id)" serves both the filter and the newest-first order.
CREATE INDEX audit_actor_id      ON audit (actor, id);
CREATE INDEX audit_card_id       ON audit (card_id, id);
CREATE INDEX audit_op_id         ON audit (op, id);
CREATE INDEX audit_op_outcome_id ON audit (op, outcome, id);
CREATE INDEX audit_outcome_id    ON audit (outcome, id);
CREATE INDEX audit_channel_id    ON audit (channel_id, id);
CREATE INDEX audit_ts            ON audit (ts);
`;

const APPROVALS_V2 = `
-- SPEC §6: two-person cancellation. Rows are never deleted; state moves forward only:
--   pending -> executing -> done | failed | unknown
--   pending -> rejected | expired | failed (approval message never posted)
--   executing -> unknown (process stopped mid-call)
CREATE TABLE approvals (
  id              TEXT PRIMARY KEY,
  op              TEXT NOT NULL CHECK (op IN ('cancel')),
  card_id         TEXT NOT NULL,
  requester       TEXT NOT NULL,
  team_id         TEXT,
  request_channel TEXT,
  reason          TEXT NOT NULL,
  state           TEXT NOT NULL
    CHECK (state IN ('pending', 'executing', 'done', 'failed', 'unknown', 'rejected', 'expired')),
  created_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  decided_by      TEXT,
  decided_at      TEXT,
  decision_reason TEXT,
  message_channel TEXT,
  message_ts      TEXT,
  trace_id        TEXT,
  error           TEXT
) STRICT;

-- At most one live request per card, whichever process files it.
CREATE UNIQUE INDEX approvals_live_card ON approvals (card_id) WHERE state IN ('pending', 'executing');
CREATE INDEX approvals_state_expires ON approvals (state, expires_at);
CREATE INDEX approvals_requester ON approvals (requester, created_at);
`;

const REVEAL_OFFERS_V3 = `
-- SPEC §9: a Reveal button's offer, shared so the click may reach any process. No secret and no
-- response_url in it. A row is removed when its owner claims it (single use) or long after expiry.
CREATE TABLE reveal_offers (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  op         TEXT NOT NULL CHECK (op IN ('pan', 'cvv', 'expiry', 'pin')),
  card_id    TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  team_id    TEXT,
  expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX reveal_offers_expires ON reveal_offers (expires_at);
`;

const AUDIT_HEAD_ONLY_V4 = `
-- SPEC §7: no connection may rewrite a stored row. The update and delete triggers do not stop
-- INSERT OR REPLACE (or REPLACE, or an UPSERT's insert half) on a connection without
-- recursive_triggers, where the replaced row is deleted without firing them. This trigger fires on
-- every connection: it accepts only a row at the head of the chain, one past the highest id ever
-- written and linked to the last row's hash, so a replacement of any stored row is refused.
CREATE TRIGGER audit_insert_at_head BEFORE INSERT ON audit
WHEN NEW.id IS NOT max(
       coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0),
       coalesce((SELECT max(id) FROM audit), 0)
     ) + 1
  OR NEW.prev_hash IS NOT coalesce(
       (SELECT hash FROM audit ORDER BY id DESC LIMIT 1),
       '0000000000000000000000000000000000000000000000000000000000000000'
     )
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only: a row may only be added at the head of the chain');
END;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'audit log', sql: AUDIT_V1 },
  { version: 2, name: 'approvals', sql: APPROVALS_V2 },
  { version: 3, name: 'reveal offers', sql: REVEAL_OFFERS_V3 },
  { version: 4, name: 'audit rows only at the head', sql: AUDIT_HEAD_ONLY_V4 },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;
