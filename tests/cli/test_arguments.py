"""``pledgebot COMMAND ...`` is parsed by that command's parser alone (a cheaper start): what
it gives, prints and exits with must be what the whole command line's parser does."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import pytest

from bot.cli import parse_args, whole_parser

ARGVS = [
    [],
    ["-h"],
    ["--version"],
    ["nope"],
    ["run"],
    ["run", "--only", "web", "--storage-url", "sqlite:///x.db", "-v"],
    ["run", "--only", "mastodon"],
    ["console"],
    ["console", "--config", "c.toml", "--as", "bob", "--lang", "pt_BR"],
    ["console", "--con", "c.toml"],
    ["console", "--lang", "xx"],
    ["console", "-h"],
    ["console", "extra"],
    ["console", "--version"],
    ["console", "--", "x"],
    ["export"],
    ["export", "--format", "csv", "--output", "out.csv", "--with-ids"],
    ["snapshot", "--output", "snap.json", "--verbose"],
    ["publish"],
    ["publish", "site"],
    ["check-config", "--storage-url", "postgresql://h/db"],
    ["health", "--max-age", "soon"],
    ["health", "--max-age", "5"],
    ["backup", "b.db"],
    ["copy-store", "--from", "sqlite:///a.db", "--to", "sqlite:///b.db", "--force"],
    ["copy-store", "--from", "sqlite:///a.db"],
    ["copy-store", "--config", "c.toml"],
    ["verify", "s.json", "--previous", "r.json"],
    ["verify"],
    ["verify", "-h"],
]


def _outcome(
    parse: Callable[[list[str]], argparse.Namespace], argv: list[str], capsys: Any
) -> tuple[Any, str, str]:
    try:
        result: Any = vars(parse(argv))
    except SystemExit as exc:
        result = ("exit", exc.code)
    out, err = capsys.readouterr()
    return result, out, err


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_one_commands_parser_answers_as_the_whole_command_line(
    argv: list[str], capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert _outcome(parse_args, argv, capsys) == _outcome(whole_parser().parse_args, argv, capsys)
