-- pledgebot schema 9 (SQLite): reaffirming a changed letter. When the configured text changes,
-- each earlier active signer is told once: notified_version is the version they were told
-- about, set in the same transaction as the outbox message that tells them, so a restart never
-- tells them twice. Reaffirming moves a signature onto the new version (letter_version) and
-- keeps what it stood on before in signature_versions, oldest first.
ALTER TABLE signatures ADD COLUMN notified_version TEXT;

CREATE TABLE signature_versions (
    id           INTEGER PRIMARY KEY,
    signature_id INTEGER NOT NULL,
    version      TEXT    NOT NULL,
    previous     TEXT    NOT NULL,
    at           TEXT    NOT NULL
);
CREATE INDEX signature_versions_signature ON signature_versions (signature_id, id);

-- How many approved signatures stand on each version (/count for moderators, check-config,
-- the export): a scan of this index only, grouped.
CREATE INDEX signatures_approved_versions ON signatures (letter_version) WHERE status = 'approved';
