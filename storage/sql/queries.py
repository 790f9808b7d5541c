"""Every statement both stores run, written once in ``$n`` style (see :mod:`storage.sql`).

A store that needs a row lock appends ``FOR UPDATE`` itself (:data:`LOCK_ROWS`); nothing else
here is dialect-specific.
"""

from __future__ import annotations

from bot.ports import TABLES
from storage.sql.rows import LIVE_POST_COLUMNS, OUTBOX_COLUMNS, SIG_COLUMNS

BUCKET = 1024
"""List positions per ``listing_buckets`` row. Both stores (and a copy between them) must agree,
or paging after a ``copy-store`` would count the wrong rows."""

# -- schema version ------------------------------------------------------------------------------
CREATE_SCHEMA_VERSION = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
SCHEMA_VERSION = "SELECT COALESCE(MAX(version), 0) FROM schema_version"
RECORD_SCHEMA_VERSION = "INSERT INTO schema_version (version) VALUES ($1)"

# -- signatures ----------------------------------------------------------------------------------
SIGNATURE_BY_ID = f"SELECT {SIG_COLUMNS} FROM signatures WHERE id = $1"
# The person an account ($1, "platform:user_id") belongs to: its accounts row, else itself.
_PERSON_OF = "COALESCE((SELECT person FROM accounts WHERE account = $1), $1)"
# A person's active signature, else their latest: once two accounts are linked, the later of two
# signatures may be the one withdrawn by the link.
_ACTIVE_ELSE_LATEST = (
    "ORDER BY CASE WHEN status IN ('pending', 'approved') THEN 0 ELSE 1 END, id DESC LIMIT 1"
)
LATEST_SIGNATURE = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE person = {_PERSON_OF} {_ACTIVE_ELSE_LATEST}"
)


def latest_of(person: str) -> str:
    """The same, for a person already known: ``person`` is a parameter or a column."""
    return f"SELECT {SIG_COLUMNS} FROM signatures WHERE person = {person} {_ACTIVE_ELSE_LATEST}"


LATEST_OF_PERSON = latest_of("$1")
SIGNATURES_OF = f"SELECT {SIG_COLUMNS} FROM signatures WHERE person = {_PERSON_OF} ORDER BY id"
LIST_POS_OF = "SELECT list_pos FROM signatures WHERE id = $1"
LOCK_ROWS = " FOR UPDATE"


def insert_signature(list_pos: str) -> str:
    """The INSERT of a new signature; ``list_pos`` is the expression for its listing position
    (``$14`` where the store numbers positions itself, a sequence call where the database does).
    $16 is the account ("platform:user_id"): the signature names the account's person.
    """
    return (
        "INSERT INTO signatures (platform, user_id, name, name_key, role, location, link, "
        "anonymous, community, status, letter_version, created_at, decided_at, list_pos, "
        f"look_key, person, language) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,"
        f"{list_pos},$15,COALESCE((SELECT person FROM accounts WHERE account = $16), $16),$17) "
        "RETURNING id, list_pos, person"
    )


UPDATE_SIGNATURE = (
    "UPDATE signatures SET name = $1, name_key = $2, role = $3, location = $4, link = $5, "
    "status = $6, decided_at = $7, decided_by = $8, reason = $9, withdrawn_at = $10, "
    "erased = $11, list_pos = $12, look_key = $13, lapsed = $15 WHERE id = $14"
)
HISTORIES = f"SELECT {SIG_COLUMNS} FROM signatures WHERE person = ANY($1) ORDER BY id"
# Every signature these accounts ($1, "platform:user_id") made, among their persons' (found by
# signatures_person): every signer has an accounts row naming its signatures' person (schema 12).
ACCOUNT_HISTORIES = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE person IN "
    "(SELECT person FROM accounts WHERE account = ANY($1)) "
    "AND platform || ':' || user_id = ANY($1) ORDER BY id"
)
PENDING = f"SELECT {SIG_COLUMNS} FROM signatures WHERE status = 'pending' ORDER BY id LIMIT $1"
# Active signatures (pending or approved) sharing a name key or a look-alike key: a UNION of two
# index searches, not "name_key IN … OR look_key IN …": SQLite scans the whole table for that OR
# (418 ms at a million rows) instead of searching both indexes. The UNION is of ids only (rows
# would be compared column by column), and $2 bounds what a brigade of one name can make a
# single /pending read before any whole row is fetched.
LOOK_ALIKES = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE id IN ("
    "SELECT id FROM signatures WHERE status IN ('pending', 'approved') AND name_key = ANY($1) "
    "UNION SELECT id FROM signatures WHERE status IN ('pending', 'approved') "
    "AND look_key = ANY($1) ORDER BY id LIMIT $2) ORDER BY id"
)

# -- people and their accounts (/link) ----------------------------------------------------------
# An account's row, made if missing, and its person: on PostgreSQL the upsert locks the row until
# COMMIT, so a signature and a link of one account are serialised (SQLite has one writer).
CLAIM_ACCOUNT = (
    "INSERT INTO accounts (account, person) VALUES ($1, $1) "
    "ON CONFLICT (account) DO UPDATE SET person = accounts.person RETURNING person"
)
PERSON_OF = f"SELECT {_PERSON_OF}"


def _accounts_of(persons: str) -> str:
    """The accounts rows of these persons: the linked ones from the partial index by person
    (accounts_linked), each of the others, its own person, by its primary key."""
    return (
        f"(person = ANY({persons}) AND person <> account) "
        f"OR (account = ANY({persons}) AND person = account)"
    )


ACCOUNTS_OF_PERSONS = (
    f"SELECT person, account FROM accounts WHERE {_accounts_of('$1')} ORDER BY account"
)
MOVE_ACCOUNTS = f"UPDATE accounts SET person = $1, linked_at = $2 WHERE {_accounts_of('$3')}"
MOVE_SIGNATURES = "UPDATE signatures SET person = $1 WHERE person = ANY($2)"
DETACH_ACCOUNT = "UPDATE accounts SET person = $1, linked_at = NULL WHERE account = $1"


def detach_signatures(lock: str = "") -> str:
    """The signatures an account ($1) made itself back to it as their person: found among its
    person's, by signatures_person, before its accounts row changes (DETACH_ACCOUNT comes
    after). ``lock``: the row is locked first, as a signature's claim locks it."""
    return (
        "UPDATE signatures SET person = $1 WHERE person = "
        f"(SELECT person FROM accounts WHERE account = $1{lock}) "
        "AND platform = $2 AND user_id = $3"
    )


# A new code replaces the account's earlier ones; every expired code goes at the same time.
DROP_LINK_CODES = "DELETE FROM link_codes WHERE account = $1 OR expires_at <= $2"
ADD_LINK_CODE = (
    "INSERT INTO link_codes (code_hash, account, created_at, expires_at) VALUES ($1,$2,$3,$4)"
)
# Single use: whoever deletes the row has redeemed it.
TAKE_LINK_CODE = "DELETE FROM link_codes WHERE code_hash = $1 AND expires_at > $2 RETURNING account"

# -- counters and the public listing -------------------------------------------------------------
COUNTER = "SELECT value FROM counters WHERE name = $1"
SET_COUNTER = "UPDATE counters SET value = $1 WHERE name = $2"
ADD_TO_BUCKET = (
    "INSERT INTO listing_buckets (bucket, n) VALUES ($1, $2) "
    "ON CONFLICT (bucket) DO UPDATE SET n = listing_buckets.n + excluded.n"
)
BUCKETS = "SELECT bucket, n FROM listing_buckets WHERE n > 0 ORDER BY bucket"
LISTED_FROM = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE list_pos >= $1 "
    "ORDER BY list_pos LIMIT $2 OFFSET $3"
)
LISTED_AFTER = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE list_pos > $1 ORDER BY list_pos LIMIT $2"
)

# -- milestones, audit log, letter versions ------------------------------------------------------
REACHED_MILESTONES = "SELECT value FROM milestones ORDER BY value"
ADD_AUDIT = (
    "INSERT INTO audit_log (at, actor, action, signature_id, reason) VALUES ($1,$2,$3,$4,$5)"
)
AUDIT_LOG = (
    "SELECT id, at, actor, action, signature_id, reason FROM audit_log ORDER BY id DESC LIMIT $1"
)
RECORD_LETTER_VERSION = (
    "INSERT INTO letter_versions (version, text, first_seen) VALUES ($1,$2,$3) "
    "ON CONFLICT (version) DO NOTHING RETURNING version"
)

# -- reaffirming a changed letter (bot/reaffirm.py) ----------------------------------------------
# Earlier active signers not yet told of version $1, after id $2, oldest first: a walk along the
# primary key that skips those on $1 or told already (each batch reads about $3 rows).
STALE_SIGNERS = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE id > $2 AND status IN ('pending', 'approved') "
    "AND letter_version <> $1 AND (notified_version IS NULL OR notified_version <> $1) "
    "ORDER BY id LIMIT $3"
)
# Mark them told, in the unit that writes their notices; only the rows this statement changed
# are told, so two processes that read the same batch tell each signer once (the second waits
# for the first's row locks, then finds them told), and one who reaffirmed or withdrew since the
# read is not told at all.
MARK_TOLD = (
    "UPDATE signatures SET notified_version = $1 WHERE id = ANY($2) "
    "AND status IN ('pending', 'approved') AND letter_version <> $1 "
    "AND (notified_version IS NULL OR notified_version <> $1) RETURNING id"
)
LAPSE_CANDIDATES = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE id > $2 AND status = 'approved' "
    "AND NOT lapsed AND letter_version <> $1 ORDER BY id LIMIT $3"
)
LAPSED_SIGNATURES = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE id > $1 AND lapsed ORDER BY id LIMIT $2"
)
REAFFIRM_SIGNATURE = "UPDATE signatures SET letter_version = $2 WHERE id = $1"
ADD_SIGNATURE_VERSION = (
    "INSERT INTO signature_versions (signature_id, version, previous, at) VALUES ($1,$2,$3,$4)"
)
SIGNATURE_VERSIONS = (
    "SELECT signature_id, version, previous, at FROM signature_versions "
    "WHERE signature_id = $1 ORDER BY id"
)
APPROVED_BY_VERSION = (
    "SELECT letter_version, COUNT(*) FROM signatures WHERE status = 'approved' "
    "GROUP BY letter_version"
)
LETTER_VERSIONS = "SELECT version, first_seen FROM letter_versions ORDER BY first_seen, version"

# -- communities (bot/communities.py) -------------------------------------------------------------
# The name a platform shows for a community, kept as last seen (a rename updates it).
NAME_COMMUNITY = (
    "INSERT INTO communities (community, name, updated_at) VALUES ($1,$2,$3) "
    "ON CONFLICT (community) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at "
    "WHERE communities.name <> excluded.name"
)
# Per community: approved and pending signatures (the active-signature index, counted per
# community and status) and those made since $1 (the creation-time index), the $2 biggest.
COMMUNITY_COUNTS = (
    "SELECT per.community, MAX(c.name), "
    "SUM(CASE WHEN per.what = 'approved' THEN per.n ELSE 0 END) AS approved, "
    "SUM(CASE WHEN per.what = 'pending' THEN per.n ELSE 0 END) AS pending, "
    "SUM(CASE WHEN per.what = 'recent' THEN per.n ELSE 0 END) AS recent FROM ("
    "SELECT community, status AS what, COUNT(*) AS n FROM signatures "
    "WHERE status IN ('pending', 'approved') GROUP BY community, status "
    "UNION ALL SELECT community, 'recent' AS what, COUNT(*) AS n FROM signatures "
    "WHERE created_at >= $1 GROUP BY community) per "
    "LEFT JOIN communities c ON c.community = per.community GROUP BY per.community "
    "ORDER BY approved DESC, pending DESC, recent DESC, per.community LIMIT $2"
)

# -- live letter posts (bot/liveposts.py) ---------------------------------------------------------
_LIVE_POST_READ = (
    f"SELECT {LIVE_POST_COLUMNS.format(p='p.', name='c.name')} FROM live_posts p "
    "LEFT JOIN communities c ON c.community = p.community"
)
LIVE_POSTS = f"{_LIVE_POST_READ} WHERE p.status = 'live' ORDER BY p.id"
LIVE_POST = f"{_LIVE_POST_READ} WHERE p.id = $1"
_LIVE_POST_RETURNING = LIVE_POST_COLUMNS.format(p="", name="NULL")
ADD_LIVE_POST = (
    "INSERT INTO live_posts (platform, chat, message, community, language, posted_by, "
    f"posted_at, next_edit_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING {_LIVE_POST_RETURNING}"
)
END_LIVE_POST = (
    "UPDATE live_posts SET status = $2, ended_at = $3, end_reason = $4 "
    f"WHERE id = $1 AND status = 'live' RETURNING {_LIVE_POST_RETURNING}"
)
END_LIVE_POSTS_IN = (
    "UPDATE live_posts SET status = 'stopped', ended_at = $3, end_reason = $4 "
    f"WHERE platform = $1 AND chat = $2 AND status = 'live' RETURNING {_LIVE_POST_RETURNING}"
)
LIVE_EDIT_DUE = (
    "SELECT id, platform, next_edit_at FROM live_posts WHERE status = 'live' ORDER BY id"
)
# The edits still waiting to go out, among these posts' queues ($1 platform, $2 destinations).
# "status IN (…)" repeats the queue index's condition, so SQLite sees that it may use it.
WAITING_LIVE_EDITS = (
    "SELECT destination FROM outbox WHERE platform = $1 AND destination = ANY($2) "
    "AND status IN ('pending', 'sending') AND status = 'pending' AND kind = 'live_edit'"
)
ADD_LIVE_EDIT = (
    "INSERT INTO outbox (kind, platform, destination, text, created_at, next_attempt_at) "
    "VALUES ('live_edit', $1, $2, '', $3, $4)"
)
SET_NEXT_EDIT = "UPDATE live_posts SET next_edit_at = $1 WHERE id = $2"

# -- snapshots (bot/archive.py) -------------------------------------------------------------------
SNAPSHOT_COLUMNS = "sha256, generated_at, approved, listed, previous"
LATEST_SNAPSHOT = f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id DESC LIMIT 1"
RECORD_SNAPSHOT = f"INSERT INTO snapshots ({SNAPSHOT_COLUMNS}) VALUES ($1,$2,$3,$4,$5)"

# -- outbox --------------------------------------------------------------------------------------
ADD_OUTBOX = (
    "INSERT INTO outbox (kind, platform, destination, text, signature_id, milestone, "
    "created_at, next_attempt_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7)"
)
REDACT_OUTBOX = (
    "UPDATE outbox SET text = '(erased)', "
    "last_error = CASE WHEN status = 'delivered' THEN last_error ELSE 'erased by the signer' END, "
    "status = CASE WHEN status = 'delivered' THEN status ELSE 'failed' END "
    "WHERE signature_id = ANY($1)"
)

# The head of each destination's queue: the earliest message still owed. Only heads may be
# claimed, so messages to one channel keep their order even when an earlier one waits for a
# retry or is in flight in another process. One pass over the partial queue index (a per-row
# "is anything earlier owed?" probe cost 70 ms per claim with 5,000 messages queued).
_QUEUE_HEADS = (
    "SELECT MIN(id) FROM outbox WHERE status IN ('pending', 'sending') "
    "AND platform = ANY({platforms}) GROUP BY platform, destination"
)
_CLAIMABLE = (
    "((status = 'pending' AND next_attempt_at <= {now}) OR "
    "(status = 'sending' AND lease_until <= {now}))"
)


def claim_outbox(lock: str = "") -> str:
    """Claim due queue heads: $1 lease end, $2 platforms, $3 now, $4 how many. ``lock`` is
    ``FOR UPDATE SKIP LOCKED`` where several processes claim at once."""
    return (
        "UPDATE outbox SET status = 'sending', lease_until = $1 WHERE id IN ("
        f"SELECT id FROM outbox WHERE id IN ({_QUEUE_HEADS.format(platforms='$2')}) "
        f"AND {_CLAIMABLE.format(now='$3')} ORDER BY id LIMIT $4{lock}) "
        f"RETURNING {OUTBOX_COLUMNS}"
    )


# Two processes may both find the same head; on PostgreSQL the second's update waits for the
# first's row lock, re-checks the row (now in flight) and claims nothing.
CLAIM_NEXT_IN_QUEUE = (
    "UPDATE outbox SET status = 'sending', lease_until = $1 WHERE id = ("
    "SELECT id FROM outbox WHERE platform = $2 AND destination = $3 "
    "AND status IN ('pending', 'sending') ORDER BY id LIMIT 1) "
    f"AND {_CLAIMABLE.format(now='$4')} RETURNING {OUTBOX_COLUMNS}"
)
OUTBOX_DELIVERED = (
    "UPDATE outbox SET status = 'delivered', delivered_at = $1, ref = $2, "
    "lease_until = NULL, attempts = attempts + 1 WHERE id = $3"
)
OUTBOX_RETRY = (
    "UPDATE outbox SET status = 'pending', next_attempt_at = $1, last_error = $2, "
    "lease_until = NULL, attempts = attempts + 1 WHERE id = $3"
)
OUTBOX_FAILED = (
    "UPDATE outbox SET status = 'failed', delivered_at = $1, last_error = $2, "
    "lease_until = NULL, attempts = attempts + 1 WHERE id = $3"
)
RELEASE_CLAIMS = (
    "UPDATE outbox SET status = 'pending', lease_until = NULL "
    "WHERE status = 'sending' AND platform = ANY($1) RETURNING id"
)
NEXT_OUTBOX_DUE = (
    "SELECT MIN(CASE status WHEN 'pending' THEN next_attempt_at ELSE lease_until END) "
    f"FROM outbox WHERE id IN ({_QUEUE_HEADS.format(platforms='$1')})"
)
OUTBOX_REFS = (
    "SELECT platform, destination, ref FROM outbox WHERE signature_id = $1 AND kind = $2 "
    "AND status = 'delivered' AND ref IS NOT NULL ORDER BY id"
)
OUTBOX_MESSAGES = f"SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id"

# -- transfer (copy-store) -----------------------------------------------------------------------
# Any of these means someone signed, or a moderator or the outbox acted: a campaign to copy.
CAMPAIGN_ROWS = (
    "SELECT EXISTS (SELECT 1 FROM signatures) OR EXISTS (SELECT 1 FROM audit_log) "
    "OR EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM milestones)"
)
DATA_ROWS = (
    "SELECT (SELECT COUNT(*) FROM signatures) + (SELECT COUNT(*) FROM outbox) "
    "+ (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM milestones) "
    "+ (SELECT COUNT(*) FROM letter_versions) + (SELECT COUNT(*) FROM snapshots) "
    "+ (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM communities) "
    "+ (SELECT COUNT(*) FROM live_posts) + (SELECT COUNT(*) FROM signature_versions)"
)


def dump_table(table: str, batch: int, *, after: bool) -> str:
    """One batch of a table of :data:`bot.ports.TABLES` in key order; with ``after``, the rows
    after key $1. Counters are the logical ones only (``approved`` and ``listed``)."""
    columns = TABLES[table]
    key = columns[0]
    where = "name IN ('approved', 'listed')" if table == "counters" else "TRUE"
    keyset = f" AND {key} > $1" if after else ""
    return (
        f"SELECT {', '.join(columns)} FROM {table} WHERE {where}{keyset} "
        f"ORDER BY {key} LIMIT {int(batch)}"
    )


def insert_rows(table: str) -> str:
    """Insert one dumped row, with its ids."""
    columns = TABLES[table]
    marks = ",".join(f"${i}" for i in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
