-- pledgebot schema 8 (SQLite): live letter posts (/post-letter), kept current by the outbox.
-- Each row is one posted message: where it is (platform, chat, message), which community its
-- Sign button brings signers from, the language it is written in and who posted it. While it
-- is 'live', every change of the count owes it one edit ("live_edit" outbox rows to destination
-- "live:<id>"); next_edit_at is when the latest of those was due, so the next one waits for
-- live_edit_interval_seconds after it. 'stopped' (/unpost, or a newer post in the same chat)
-- and 'lost' (the message was deleted, or the bot lost its rights there) end the updates.
CREATE TABLE live_posts (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    chat         TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    community    TEXT    NOT NULL,
    language     TEXT    NOT NULL,
    posted_by    TEXT    NOT NULL,
    posted_at    TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'stopped', 'lost')),
    next_edit_at TEXT    NOT NULL,
    ended_at     TEXT,
    end_reason   TEXT
);
-- One live post per chat: a new one there replaces it, so edits never multiply in one chat.
CREATE UNIQUE INDEX live_posts_one_per_chat ON live_posts (platform, chat) WHERE status = 'live';
