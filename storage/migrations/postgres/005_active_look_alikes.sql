-- pledgebot schema 5 (PostgreSQL): look-alike names are flagged among pending signatures too (a
-- brigade signs in a burst, before anyone is approved), so the name and look-alike keys are
-- indexed over every active signature, pending or approved, not only the approved ones.
DROP INDEX signatures_approved_names;
DROP INDEX signatures_approved_looks;
CREATE INDEX signatures_active_names ON signatures (name_key)
    WHERE status IN ('pending', 'approved');
CREATE INDEX signatures_active_looks ON signatures (look_key)
    WHERE status IN ('pending', 'approved');
