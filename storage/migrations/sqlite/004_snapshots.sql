-- pledgebot schema 4 (SQLite): the snapshots written so far (bot/archive.py). Each names the one
-- before it (previous), so the chain of published snapshots is kept; the files themselves live
-- in web.snapshot_dir. The highest id is the chain's end.
CREATE TABLE snapshots (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT    NOT NULL UNIQUE,
    previous     TEXT,
    generated_at TEXT    NOT NULL,
    approved     INTEGER NOT NULL,
    listed       INTEGER NOT NULL
);
