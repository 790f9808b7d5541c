"""No sentence a user reads is written inline: every one comes from the catalogue.

This walks the syntax trees of ``bot/`` and ``adapters/`` and fails on a string literal of two
or more words that is not a catalogue text — the first argument of ``msg``/``nmsg``/``pmsg`` or
of a translator's ``t``/``n``/``p`` — and not one of the excepted kinds below:

- docstrings, and log messages (``_log.info("…")``, ``logging.…``);
- what is raised or built as an error (``raise ConfigError("…")``, ``DeliveryError("…")``):
  errors for the operator running the bot. The errors a *user* reads are
  :class:`bot.errors.PledgeError`, which take catalogue messages only (mypy holds them to it),
  so nothing a user reads can hide there; likewise :data:`OPERATOR_CLASSES`;
- regular expressions, command usages (``/as USER``) and shell commands (``pledgebot export
  --format csv``), which are typed, not read as sentences;
- modules that only ever speak to the operator (:data:`OPERATOR_MODULES`), which speak English
  like the command line's ``--help``;
- an explicit, short :data:`ALLOWED` list of literals that are not sentences (protocol words,
  markup), each with its reason.

A file an adapter's helper has not converted yet sits in :data:`NOT_YET_CONVERTED`; each one
converted is taken out, and the list only ever shrinks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Function names whose first argument(s) are catalogue texts (what ``make messages`` extracts).
CATALOGUE_CALLS = {"msg", "nmsg", "pmsg", "t", "n", "p"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}

#: Modules that speak only to the operator (English, like ``pledgebot --help``): the command
#: line, configuration errors and warnings, start-up and health reports, logs, and the reports of
#: operator commands (``verify``, ``export``, ``backup``/``restore``, progress bars).
OPERATOR_MODULES = {
    "bot/__main__.py",
    "bot/app/configured.py",  # composition root: config warnings for the operator
    "bot/app/one_shot.py",  # composition root: the operator commands' errors
    "bot/app/running.py",  # composition root: start-up messages for the operator
    "bot/app/stores.py",  # composition root: check-config's store report
    "bot/archive.py",
    "bot/cli.py",
    "bot/config.py",
    "bot/health.py",
    "bot/logs.py",
    "bot/progress.py",
    "bot/snapshot.py",  # ``pledgebot verify``'s report
    "bot/startup.py",
    "bot/transfer.py",
}

#: Classes that speak only to the operator, in modules that otherwise speak to users.
OPERATOR_CLASSES = {
    ("bot/errors.py", "StoreRefused"),  # the database cannot be opened: configuration errors
}

#: Literals of two or more words that are not sentences for a reader. Keep this list short.
ALLOWED = {
    # Telegram Bot API error descriptions the adapter recognises (never shown to anyone).
    "message is not modified",
    "message to edit not found",
    "not modified",
    # The console's tag for mod-queue lines: a fixed prefix, like a log level, that scripts grep.
    "[mod queue] {}",
    # Where slash commands were registered, for the log line that follows.
    "all servers",
    # The salt of a link code's hash (bot/linking.py), not text.
    "pledgebot link {}",
}

#: Files whose wording has not moved to the catalogue yet. Each helper removes its files as it
#: converts them (see docs/development.md, "Translations"); the list only ever shrinks.
NOT_YET_CONVERTED: set[str] = set()

_WORDS = re.compile(r"[^\W\d_]{2,}[\s\u00a0]+[^\W\d_]{2,}")
#: Typed, not read: a command's usage with placeholders, a shell command, a regular expression.
_COMMAND = re.compile(r"^/[a-z-]+( [A-Z]+…?| \| …| \[[a-z|]+\])*$")
_SHELL = re.compile(r"^(`|<code>)?pledgebot [a-z-]+ ")
_ERROR_CALL = re.compile(r"(Error|Exception)$")
_UNREAD_CALLS = {"compile", "match", "fullmatch", "search", "sub", "stage"}


def _sources() -> list[Path]:
    return sorted(
        p
        for folder in ("bot", "adapters")
        for p in (ROOT / folder).rglob("*.py")
        if "locales" not in p.parts
    )


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings, and the strings documenting an attribute (a bare string after it)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _is_log(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    owner = func.value
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
    return "log" in name.lower()


def _excepted(tree: ast.AST, name: str) -> set[int]:
    """The ids of string nodes that are catalogue texts, log messages or operators' errors."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            skip |= {id(n) for n in ast.walk(node.exc)}
        elif isinstance(node, ast.ClassDef) and (name, node.name) in OPERATOR_CLASSES:
            skip |= {id(n) for n in ast.walk(node)}
        elif isinstance(node, ast.Call):
            called = _name(node)
            if _is_log(node) or _ERROR_CALL.search(called) or called in _UNREAD_CALLS:
                skip |= {id(n) for arg in node.args for n in ast.walk(arg)}
            elif called in CATALOGUE_CALLS:
                skip |= {id(n) for arg in node.args[:3] for n in ast.walk(arg)}
    return skip


def _literals(path: Path, name: str = "") -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    skip = _excepted(tree, name)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in skip:
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            skip |= {id(v) for v in node.values}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in skip:
                continue
            text = node.value
        else:
            continue
        if not _WORDS.search(text) or text in ALLOWED:
            continue
        if _COMMAND.match(text) or _SHELL.match(text):
            continue
        yield node.lineno, text


def _offences() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        if name in OPERATOR_MODULES:
            continue
        literals = list(_literals(path, name))
        if literals:
            found[name] = literals
    return found


@pytest.fixture(scope="module")
def offences() -> dict[str, list[tuple[int, str]]]:
    return _offences()


def test_every_sentence_comes_from_the_catalogue(offences) -> None:
    inline = {f: lines for f, lines in offences.items() if f not in NOT_YET_CONVERTED}
    shown = [f"{f}:{line}: {text!r}" for f, lines in inline.items() for line, text in lines]
    assert not shown, (
        "user-facing text written inline (put it in the catalogue: msg()/tr.t(), then "
        "`make messages`):\n" + "\n".join(shown[:30])
    )


def test_the_not_yet_converted_list_only_names_files_that_still_need_it(offences) -> None:
    done = sorted(NOT_YET_CONVERTED - set(offences))
    assert not done, f"converted: take these out of NOT_YET_CONVERTED: {done}"


def test_the_walker_finds_an_inline_sentence(tmp_path: Path) -> None:
    """The check itself: an inline sentence is found; catalogue texts, docstrings, logs and
    raised errors are not."""
    source = tmp_path / "example.py"
    source.write_text(
        '"""A module docstring with words."""\n'
        "import logging\n"
        "_log = logging.getLogger(__name__)\n"
        "def f(tr, name):\n"
        '    """A docstring."""\n'
        '    _log.info("logged words %s", name)\n'
        '    ok = tr.t("Thank you, {name}!", name=name)\n'
        "    if not name:\n"
        '        raise ValueError("an operator error")\n'
        '    return f"Thank you, {name}!" + ok\n'
    )
    assert [text for _, text in _literals(source)] == ["Thank you, {}!"]
