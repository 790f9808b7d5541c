-- pledgebot schema 12 (SQLite): every account that has signed has its accounts row. Schema 6
-- made one only for an account that signed or linked from then on; a signature made before it
-- left its account without one. With every signer's row in place, a claim that has to make an
-- account's row has found an account that never signed: a person of its own with no signature,
-- so signing need not look for one (storage.sqlite.writer). Each row names the person its
-- signatures already name: the account itself unless it was linked.
INSERT OR IGNORE INTO accounts (account, person)
    SELECT platform || ':' || user_id, person FROM signatures ORDER BY id;
