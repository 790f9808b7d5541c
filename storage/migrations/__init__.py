"""Numbered schema migrations, one folder of ``NNN_name.sql`` files per SQL dialect.

Each store applies the files newer than its database's recorded version, in order, inside one
transaction, and refuses a database whose version is newer than the files it knows.
"""

from __future__ import annotations

import re
from importlib import resources

from bot.ports import StoreRefused
from bot.values import frozen_value

__all__ = ["Migration", "SchemaTooNew", "load"]

_NAME = re.compile(r"^(\d{3})_[\w-]+\.sql$")


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
    sql: str


def load(dialect: str) -> list[Migration]:
    folder = resources.files(__package__).joinpath(dialect)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, 1):
        if migration.version != expected:
            raise RuntimeError(f"migration numbering gap at {migration.name}")
    return found
