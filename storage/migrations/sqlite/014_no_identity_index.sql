-- pledgebot schema 14 (SQLite): no index of signatures by (platform, user_id, id). Its reads,
-- an account's own signatures (Store.histories, and an unlink moving them back to it), find
-- them among its person's by signatures_person: every signer has an accounts row naming the
-- person its signatures name (schema 12). Each new signature is one index entry fewer.
DROP INDEX signatures_identity;
