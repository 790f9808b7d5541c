-- pledgebot schema 7 (SQLite): which communities bring the signatures (/communities).
-- Each signature already names its community ("discord:<server id>", "telegram:<chat id>",
-- "console"); this table keeps the name the platform shows for it (a server's name, a group's
-- title), as last seen, so a renamed server reads as it is called now.
CREATE TABLE communities (
    community  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- The figures per community come from index searches, not a scan of every row: active
-- signatures by community and status, and signatures by the time they were made.
CREATE INDEX signatures_community ON signatures (community, status)
    WHERE status IN ('pending', 'approved');
CREATE INDEX signatures_created ON signatures (created_at, community);
