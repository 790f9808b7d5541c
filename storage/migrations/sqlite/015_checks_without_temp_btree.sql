-- pledgebot schema 15 (SQLite): the same status rules, checked without a temporary B-tree.
-- SQLite evaluates "status IN (a list of more than two values)" in a CHECK by building a
-- temporary B-tree of the list for every row it writes (EXPLAIN: OpenEphemeral), which cost
-- about a tenth of the instructions of a signature (callgrind, sign_burst). The same rule
-- written as equalities joined by OR is compared in place. SQLite cannot change a table's CHECK,
-- so signatures, outbox and live_posts are rebuilt as SQLite's ALTER TABLE page describes (no
-- foreign key, trigger or view names them): a new table with the same columns in the same
-- order, every row copied with its id, the old table dropped, the new one renamed and every
-- index made again as it was. PostgreSQL checks its lists without such a cost and keeps them.

CREATE TABLE signatures_15 (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,
    name             TEXT,
    name_key         TEXT    NOT NULL DEFAULT '',
    role             TEXT,
    location         TEXT,
    link             TEXT,
    anonymous        INTEGER NOT NULL DEFAULT 0,
    community        TEXT    NOT NULL,
    status           TEXT    NOT NULL
                     CHECK (status = 'pending' OR status = 'approved' OR status = 'rejected'
                            OR status = 'withdrawn' OR status = 'removed'),
    letter_version   TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    decided_at       TEXT,
    decided_by       TEXT,
    reason           TEXT,
    withdrawn_at     TEXT,
    erased           INTEGER NOT NULL DEFAULT 0,
    -- Position in the public listing while listed (approved, named, not erased); NULL otherwise.
    list_pos         INTEGER,
    look_key         TEXT    NOT NULL DEFAULT '',
    person           TEXT    NOT NULL DEFAULT '',
    notified_version TEXT,
    lapsed           INTEGER NOT NULL DEFAULT 0,
    language         TEXT
);
INSERT INTO signatures_15 (
    id, platform, user_id, name, name_key, role, location, link, anonymous, community, status,
    letter_version, created_at, decided_at, decided_by, reason, withdrawn_at, erased, list_pos,
    look_key, person, notified_version, lapsed, language
)
SELECT
    id, platform, user_id, name, name_key, role, location, link, anonymous, community, status,
    letter_version, created_at, decided_at, decided_by, reason, withdrawn_at, erased, list_pos,
    look_key, person, notified_version, lapsed, language
FROM signatures;
DROP TABLE signatures;
ALTER TABLE signatures_15 RENAME TO signatures;
-- The one-active-signature rule, enforced a second time by the database itself.
CREATE UNIQUE INDEX signatures_one_active ON signatures (platform, user_id)
    WHERE status IN ('pending', 'approved');
CREATE UNIQUE INDEX signatures_one_active_person ON signatures (person)
    WHERE status IN ('pending', 'approved');
CREATE INDEX signatures_pending ON signatures (id) WHERE status = 'pending';
CREATE UNIQUE INDEX signatures_listing ON signatures (list_pos) WHERE list_pos IS NOT NULL;
CREATE INDEX signatures_active_names ON signatures (name_key)
    WHERE status IN ('pending', 'approved');
CREATE INDEX signatures_active_looks ON signatures (look_key)
    WHERE status IN ('pending', 'approved');
CREATE INDEX signatures_person ON signatures (person, id);
CREATE INDEX signatures_community ON signatures (community, status)
    WHERE status IN ('pending', 'approved');
CREATE INDEX signatures_created ON signatures (created_at, community);
CREATE INDEX signatures_approved_versions ON signatures (letter_version) WHERE status = 'approved';
CREATE INDEX signatures_lapsed ON signatures (id) WHERE lapsed;

CREATE TABLE outbox_15 (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    platform        TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    signature_id    INTEGER,
    milestone       INTEGER,
    created_at      TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status = 'pending' OR status = 'sending' OR status = 'delivered'
                           OR status = 'failed'),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    delivered_at    TEXT,
    ref             TEXT,
    last_error      TEXT
);
INSERT INTO outbox_15 (
    id, kind, platform, destination, text, signature_id, milestone, created_at, status,
    attempts, next_attempt_at, lease_until, delivered_at, ref, last_error
)
SELECT
    id, kind, platform, destination, text, signature_id, milestone, created_at, status,
    attempts, next_attempt_at, lease_until, delivered_at, ref, last_error
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_15 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (platform, next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_signature ON outbox (signature_id) WHERE signature_id IS NOT NULL;
-- A milestone reaches each destination at most once, whatever happens above.
CREATE UNIQUE INDEX outbox_milestone_once ON outbox (milestone, platform, destination)
    WHERE milestone IS NOT NULL;
CREATE INDEX outbox_destination_queue ON outbox (platform, destination, id)
    WHERE status IN ('pending', 'sending');

CREATE TABLE live_posts_15 (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    chat         TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    community    TEXT    NOT NULL,
    language     TEXT    NOT NULL,
    posted_by    TEXT    NOT NULL,
    posted_at    TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'live'
                 CHECK (status = 'live' OR status = 'stopped' OR status = 'lost'),
    next_edit_at TEXT    NOT NULL,
    ended_at     TEXT,
    end_reason   TEXT
);
INSERT INTO live_posts_15 (
    id, platform, chat, message, community, language, posted_by, posted_at, status,
    next_edit_at, ended_at, end_reason
)
SELECT
    id, platform, chat, message, community, language, posted_by, posted_at, status,
    next_edit_at, ended_at, end_reason
FROM live_posts;
DROP TABLE live_posts;
ALTER TABLE live_posts_15 RENAME TO live_posts;
-- One live post per chat: a new one there replaces it, so edits never multiply in one chat.
CREATE UNIQUE INDEX live_posts_one_per_chat ON live_posts (platform, chat) WHERE status = 'live';
