-- pledgebot schema 6 (PostgreSQL): one person, several accounts (/link). A person is named by an
-- account's own "platform:user_id" until that account is linked, then by an opaque id ("~…")
-- shared by every account linked with it. An account that has signed or linked since has a row
-- here naming its person (one without a row is a person of its own); signing locks that row, so
-- a link and a signature of the same account never pass each other.
CREATE TABLE accounts (
    account   TEXT PRIMARY KEY,  -- "platform:user_id"
    person    TEXT NOT NULL,
    linked_at TIMESTAMPTZ
);
CREATE INDEX accounts_person ON accounts (person);

-- One-time linking codes, by their SHA-256 only: a code is shown once, to the account that asked.
CREATE TABLE link_codes (
    code_hash  TEXT        PRIMARY KEY,
    account    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX link_codes_account ON link_codes (account);

-- Every signature names its signer's person, and a person holds one active signature at most,
-- whichever of their accounts signed: the database refuses a second, as it does per account.
ALTER TABLE signatures ADD COLUMN person TEXT NOT NULL DEFAULT '';
UPDATE signatures SET person = platform || ':' || user_id;
CREATE INDEX signatures_person ON signatures (person, id);
CREATE UNIQUE INDEX signatures_one_active_person ON signatures (person)
    WHERE status IN ('pending', 'approved');
