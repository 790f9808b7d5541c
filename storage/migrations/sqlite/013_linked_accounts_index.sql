-- pledgebot schema 13 (SQLite): the accounts index by person holds linked accounts only. Since
-- schema 12 every signer has a row, and nearly every one is a person of its own (person =
-- account), which the primary key finds; a read by person asks this index for the linked ones
-- (storage.sql.queries: ACCOUNTS_OF_PERSONS, MOVE_ACCOUNTS), so a new signer's row is one index
-- entry, not two.
DROP INDEX accounts_person;
CREATE INDEX accounts_linked ON accounts (person) WHERE person <> account;
