-- pledgebot schema 11 (SQLite): the language a signature was made in (en, es, fr, de, pt_BR, as
-- the adapter read it from the signer's client), so the "approved" or "rejected" notification
-- reaches the signer in that language. NULL: not known (signed before this schema, or on a
-- platform that did not say): the notification speaks [i18n] default_language.
ALTER TABLE signatures ADD COLUMN language TEXT;
