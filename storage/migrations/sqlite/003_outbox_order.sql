-- pledgebot schema 3 (SQLite): messages to one destination go out in order. A row is claimed only
-- when no earlier row for its destination is still owed; this index answers that question.
CREATE INDEX outbox_destination_queue ON outbox (platform, destination, id)
    WHERE status IN ('pending', 'sending');
