-- pledgebot schema 10 (PostgreSQL): with [letter] require_reaffirm, an approved signature on an
-- earlier text stops counting until its signer reaffirms: it is "lapsed" — still approved and
-- active, but neither counted nor listed. The partial index finds the few lapsed ones at once
-- (to count them again when the option is turned off).
ALTER TABLE signatures ADD COLUMN lapsed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX signatures_lapsed ON signatures (id) WHERE lapsed;
