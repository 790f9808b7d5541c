"""What both SQL stores share: the statements, the row shapes, and the code that only runs them.

Every statement here is written once, in asyncpg's numbered ``$n`` style, and is valid on both
databases; :mod:`storage.sql.translate` rewrites it for SQLite (as mautrix-python's
``util/async_db`` does). What must differ between the dialects — the schema's DDL (in
``storage/migrations``), upserts that lean on a sequence or an array, row locks, bulk loading,
and how a statement reaches the database — lives in :mod:`storage.sqlite` and
:mod:`storage.postgres`.
"""
