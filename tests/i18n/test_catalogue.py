"""The catalogues stay complete: CI fails on a text a language lacks, a stale or fuzzy entry, a
placeholder that differs from the English source, or a plural form a language needs and lacks.

Each failure says what to do: usually `make messages`, then translate what it marks.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "bot" / "locales"
KEYWORDS = {
    "t": None,
    "n": (1, 2),
    "p": ((1, "c"), 2),
    "msg": None,
    "nmsg": (1, 2),
    "pmsg": ((1, "c"), 2),
}
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
FIX = "run `make messages`, then translate what it marks"

Key = tuple[str | None, str]  # (context, msgid)


def _key(message_id: str | tuple[str, ...], context: str | None) -> Key:
    return context, message_id if isinstance(message_id, str) else message_id[0]


def _extracted() -> dict[Key, str | tuple[str, ...]]:
    # As bot/locales/babel.cfg says: the Python sources, and the public page's templates.
    templates = "adapters/web/templates/**.html"
    method_map = [("bot/**.py", "python"), ("adapters/**.py", "python"), (templates, "jinja2")]
    options_map = {templates: {"trim_blocks": "true", "lstrip_blocks": "true"}}
    found: dict[Key, str | tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        found[_key(message, context)] = message
    return found


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


def _forms(string: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """A translation's forms alike from a .po (a tuple of plural forms) and a .mo (a list)."""
    return (string,) if isinstance(string, str) else tuple(string)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def extracted() -> dict[Key, str | tuple[str, ...]]:
    return _extracted()


def test_the_template_holds_exactly_what_the_code_says(extracted) -> None:
    template = _read_po(LOCALES / "pledgebot.pot")
    in_template = {_key(m.id, m.context) for m in template if m.id}
    missing = sorted(set(extracted) - in_template, key=str)
    stale = sorted(in_template - set(extracted), key=str)
    assert not missing, f"texts missing from pledgebot.pot ({FIX}): {missing[:10]}"
    assert not stale, f"texts in pledgebot.pot that the code no longer says ({FIX}): {stale[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_is_translated_and_current(language: str, extracted) -> None:
    catalogue = _read_po(LOCALES / language / "LC_MESSAGES" / "pledgebot.po")
    entries = {_key(m.id, m.context): m for m in catalogue if m.id}
    missing = [k for k in extracted if k not in entries]
    stale = [k for k in entries if k not in extracted]
    fuzzy = [k for k, m in entries.items() if m.fuzzy]
    empty = [
        k
        for k, m in entries.items()
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))
    ]
    assert not missing, f"{language}: untranslated texts ({FIX}): {missing[:10]}"
    assert not stale, f"{language}: entries the code no longer uses ({FIX}): {stale[:10]}"
    assert not fuzzy, f"{language}: fuzzy entries to review and confirm: {fuzzy[:10]}"
    assert not empty, f"{language}: empty translations: {empty[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_match_the_source(language: str) -> None:
    catalogue = _read_po(LOCALES / language / "LC_MESSAGES" / "pledgebot.po")
    wrong = []
    for m in catalogue:
        if not m.id:
            continue
        sources = (m.id,) if isinstance(m.id, str) else m.id
        wanted = set().union(*map(_placeholders, sources))
        forms = (m.string,) if isinstance(m.string, str) else m.string
        for index, form in enumerate(forms):
            have = _placeholders(form)
            # A singular-like form may spell its number out ("une signature"); every other
            # placeholder must be there, and none may be invented.
            optional = {"count"} if m.pluralizable and index < len(forms) - 1 else set()
            if not (wanted - optional <= have <= wanted):
                wrong.append((m.id, form))
    assert not wrong, f"{language}: placeholders differ from the English source: {wrong[:5]}"


#: Texts only Telegram or the console say may name their commands as typed: both list one name
#: per command in every language (bot/i18n/commands.py). "/skip", "/as NAME".
ONE_NAME_PER_COMMAND = ("adapters/telegram/", "adapters/console/")
_TYPED_COMMAND = re.compile(r"(?<![\w/])/(?:\{\w+\}|[a-z])")  # "/sign", "/{sign}"; not "a/b"


@pytest.mark.parametrize("language", LANGUAGES)
def test_shared_texts_name_commands_through_a_placeholder(language: str) -> None:
    """A Spanish Discord client lists /firmar, Telegram /sign: a text the core or Discord says
    names a command with a ``Command("sign")`` value, which each reader's translator writes
    as their platform lists it, never as a literal "/sign" in the sentence."""
    path = "pledgebot.pot" if language == "en" else f"{language}/LC_MESSAGES/pledgebot.po"
    literal = []
    for m in _read_po(LOCALES / path):
        if not m.id or all(file.startswith(ONE_NAME_PER_COMMAND) for file, _ in m.locations):
            continue
        texts = _forms(m.id) if language == "en" else _forms(m.string)
        literal += [text for text in texts if _TYPED_COMMAND.search(text)]
    assert not literal, f"{language}: name the command with Command(name): {literal[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_follow_cldr(language: str) -> None:
    catalogue = _read_po(LOCALES / language / "LC_MESSAGES" / "pledgebot.po")
    rule = get_plural(language)
    assert catalogue.num_plurals == rule.num_plurals, (
        f"{language}: Plural-Forms says {catalogue.num_plurals} forms, CLDR needs "
        f"{rule.num_plurals} ({rule.plural_forms})"
    )
    short = [
        m.id
        for m in catalogue
        if m.id and m.pluralizable and len([s for s in m.string if s]) != rule.num_plurals
    ]
    assert not short, f"{language}: plural texts without all {rule.num_plurals} forms: {short[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = LOCALES / language / "LC_MESSAGES"
    source = _read_po(folder / "pledgebot.po")
    with (folder / "pledgebot.mo").open("rb") as fp:
        compiled = read_mo(fp)
    want = {_key(m.id, m.context): _forms(m.string) for m in source if m.id and not m.fuzzy}
    have = {_key(m.id, m.context): _forms(m.string) for m in compiled if m.id}
    assert have == want, f"{language}: pledgebot.mo is out of date: run `make messages`"


def test_catalogue_files_are_named_for_gettext() -> None:
    found = sorted(p.name for p in LOCALES.iterdir() if p.is_dir())
    assert found == sorted(TRANSLATED)
    assert all(re.fullmatch(r"[a-z]{2}(_[A-Z]{2})?", name) for name in found)
