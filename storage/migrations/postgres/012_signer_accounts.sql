-- pledgebot schema 12 (PostgreSQL): every account that has signed has its accounts row. Schema 6
-- made one only for an account that signed or linked from then on; a signature made before it
-- left its account without one. With every signer's row in place, a claim that has to make an
-- account's row has found an account that never signed: a person of its own with no signature
-- (the SQLite store then skips looking for one). Each row names the person its signatures
-- already name: the account itself unless it was linked.
INSERT INTO accounts (account, person)
    SELECT platform || ':' || user_id, person FROM signatures ORDER BY id
    ON CONFLICT (account) DO NOTHING;
