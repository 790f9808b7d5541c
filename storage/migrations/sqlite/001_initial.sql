-- pledgebot schema 1 (SQLite).
-- Signatures, the counters kept in step with them, milestones, outbox and the audit log.

CREATE TABLE signatures (
    id             INTEGER PRIMARY KEY,
    platform       TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    name           TEXT,
    name_key       TEXT    NOT NULL DEFAULT '',
    role           TEXT,
    location       TEXT,
    link           TEXT,
    anonymous      INTEGER NOT NULL DEFAULT 0,
    community      TEXT    NOT NULL,
    status         TEXT    NOT NULL
                   CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn', 'removed')),
    letter_version TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    decided_at     TEXT,
    decided_by     TEXT,
    reason         TEXT,
    withdrawn_at   TEXT,
    erased         INTEGER NOT NULL DEFAULT 0,
    -- Position in the public listing while listed (approved, named, not erased); NULL otherwise.
    list_pos       INTEGER
);
CREATE INDEX signatures_identity ON signatures (platform, user_id, id);
-- The one-active-signature rule, enforced a second time by the database itself.
CREATE UNIQUE INDEX signatures_one_active ON signatures (platform, user_id)
    WHERE status IN ('pending', 'approved');
CREATE INDEX signatures_pending ON signatures (id) WHERE status = 'pending';
CREATE UNIQUE INDEX signatures_listing ON signatures (list_pos) WHERE list_pos IS NOT NULL;
CREATE INDEX signatures_approved_names ON signatures (name_key) WHERE status = 'approved';

-- 'approved', 'listed' and 'next_list_pos'; read O(1), written in the same transaction.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('approved', 0), ('listed', 0), ('next_list_pos', 1);

-- How many listed signatures fall in each block of 1024 list positions: finds the k-th listed
-- signature by summing about n/1024 rows, then a keyset read, instead of an OFFSET scan.
CREATE TABLE listing_buckets (
    bucket INTEGER PRIMARY KEY,
    n      INTEGER NOT NULL
);

CREATE TABLE milestones (
    value      INTEGER PRIMARY KEY,
    reached_at TEXT    NOT NULL
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    platform        TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    signature_id    INTEGER,
    milestone       INTEGER,
    created_at      TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    delivered_at    TEXT,
    ref             TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (platform, next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_signature ON outbox (signature_id) WHERE signature_id IS NOT NULL;
-- A milestone reaches each destination at most once, whatever happens above.
CREATE UNIQUE INDEX outbox_milestone_once ON outbox (milestone, platform, destination)
    WHERE milestone IS NOT NULL;

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    signature_id INTEGER,
    reason       TEXT
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE letter_versions (
    version    TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
