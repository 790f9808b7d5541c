-- pledgebot schema 2 (PostgreSQL): a second look-alike key per name (bot/confusables.py), so a
-- possible duplicate is flagged when either key matches an approved signature's.
ALTER TABLE signatures ADD COLUMN look_key TEXT NOT NULL DEFAULT '';
UPDATE signatures SET look_key = name_key;
CREATE INDEX signatures_approved_looks ON signatures (look_key) WHERE status = 'approved';
