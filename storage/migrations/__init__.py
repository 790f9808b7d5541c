"""Numbered schema migrations, one folder of ``NNN_name.sql`` files per SQL dialect.

Each store applies the files newer than its database's recorded version, in order, inside one
transaction, and refuses a database whose version is newer than the files it knows.

Every start lists the files to learn how many there are, but reads a file's SQL only when it is
applied: a database that is up to date (every start but the first) reads none of them. The files
are found beside this module, as the message catalogues are (``bot.i18n.translator``), not
through :mod:`importlib.resources`, whose first use imports its readers (~2 M instructions of
every start).
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.ports import StoreRefused
from bot.values import frozen_value

__all__ = ["Migration", "SchemaTooNew", "load"]

_NAME = re.compile(r"^(\d{3})_[\w-]+\.sql$")
_FOLDER = Path(__file__).parent


class SchemaTooNew(StoreRefused):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database is at schema version {found}, but this pledgebot only knows up to "
            f"{known}: it was written by a newer pledgebot. Upgrade pledgebot "
            "(or restore a backup)."
        )


@frozen_value
class Migration:
    version: int
    name: str
    file: Path

    @property
    def sql(self) -> str:
        """The file's statements, read when asked for: only a migration being applied is."""
        return self.file.read_text("utf-8")


def load(dialect: str) -> list[Migration]:
    found = []
    for entry in (_FOLDER / dialect).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, 1):
        if migration.version != expected:
            raise RuntimeError(f"migration numbering gap at {migration.name}")
    return found
