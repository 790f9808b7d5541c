"""What only PostgreSQL needs to receive a whole campaign (``pledgebot copy-store``): rows are
loaded with ``COPY`` (:meth:`PostgresStore.load`), then the identity columns and the listing
sequence continue after the copied values."""

from __future__ import annotations

__all__ = ["CLEAR", "FINISH_LOAD"]

# TRUNCATE does not fire the audit log's row triggers (which refuse DELETE).
CLEAR = (
    "TRUNCATE signatures, listing_buckets, milestones, outbox, audit_log, letter_versions, "
    "snapshots, accounts, link_codes, communities, live_posts, signature_versions "
    "RESTART IDENTITY; "
    "UPDATE counters SET value = 0; "
    "ALTER SEQUENCE list_pos_seq RESTART"
)
FINISH_LOAD = (
    *(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        for table in (
            "signatures",
            "outbox",
            "audit_log",
            "snapshots",
            "live_posts",
            "signature_versions",
        )
    ),
    "SELECT setval('list_pos_seq', (SELECT COALESCE(MAX(list_pos), 0) + 1 FROM signatures), false)",
)
