"""Messages the core composes, and rendering them in one language: gettext catalogues, CLDR
plurals, Babel numbers.

The core does not know a reader's language (one approval notifies a signer in Spanish and
redraws a card in a German mod channel), so it returns :class:`Msg` values — the English source
text, which is the gettext message id, and the values to fill in — and each adapter renders
them through the reader's :class:`Translator`. The constructors :func:`msg`, :func:`nmsg` and
:func:`pmsg` are also the markers ``make messages`` extracts. The values and the translator live
in one module because each needs the other: the translator renders a :class:`Msg`, and a
:class:`Msg` written as a plain ``str`` (a log line, an error) is its English rendering.

A value may itself be a :class:`Msg` (rendered in the same language first), a number (written
as the language writes numbers), :class:`Strong` (marked up by the adapter, bold where its
platform can), :class:`Percent` or :class:`Command` (a command's name as the reader's platform
lists it: ``/firmar`` in a Spanish Discord client, ``/sign`` on Telegram). :func:`joined` puts
several messages together (lines of a status) without adding a sentence of its own to the
catalogue.

Why gettext: translators already know ``.po`` files and their tools (Poedit, Weblate), the
English sentence is its own message id so the code stays readable, and Babel — which pledgebot
needs anyway for CLDR plural rules and locale-aware numbers and dates — extracts, updates and
compiles the catalogues. At run time the compiled ``.mo`` files are read with the standard
library's :mod:`gettext` (a few milliseconds), and Babel's locale data is loaded only when the
first date, share or fraction is formatted (whole numbers come from :data:`DIGIT_GROUPS`), so
``pledgebot --help``, the console's first line and a bot that has only counted stay lean.

Placeholders are ``str.format`` names (``{count}``). Values are inserted as given; an adapter
that needs its platform's escaping passes ``escape=``, which escapes the translated template and
every value except those wrapped in :class:`Raw` (markup the adapter built itself, like bold).

A :class:`Command` value is written by the translator's ``commands`` function, which the
adapter chooses (:meth:`Translator.with_commands`): ``/sign`` unless told otherwise, the
localized name on Discord, whose clients list commands in their own language (for a text the
core renders for one platform: :func:`bot.i18n.commands.translator_for`).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from bot.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.values import frozen_value

__all__ = [
    "DIGIT_GROUPS",
    "DOMAIN",
    "LOCALE_DIR",
    "Command",
    "CommandNames",
    "Msg",
    "Percent",
    "Raw",
    "Strong",
    "Translator",
    "joined",
    "msg",
    "nmsg",
    "pmsg",
    "slash_command",
    "translator",
]

DOMAIN = "pledgebot"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"


# -- what the core composes ------------------------------------------------------------------
@frozen_value
class Msg:
    """A text to render in the reader's language: ``text`` is the English source (the message
    id; the singular when ``plural`` is set), ``values`` fill its ``{placeholders}``.
    ``verbatim`` texts are templates of the code's own (a separator), never translated.

    ``values`` has no default (every constructor below passes it): a ``default_factory``
    would leave the class to ``dataclass``'s ``__init__``, one ``object.__setattr__`` per
    field, where :func:`~bot.values.frozen_value` gives it :func:`~bot.slots.slot_init`'s
    (built for every reply, often twice: a sentence inside a sentence)."""

    text: str
    values: Mapping[str, Any]
    plural: str | None = None
    count: int | None = None
    context: str | None = None
    verbatim: bool = False

    def __str__(self) -> str:  # English, for logs and for code that has no reader yet
        return translator().render(self)


@frozen_value
class Strong:
    """A value the reader's eye should find (a count, a heading word): the adapter decides the
    markup (``strong=`` of :meth:`~bot.i18n.translator.Translator.render`), plain otherwise."""

    value: Any


@frozen_value
class Percent:
    """A share between 0 and 1, written as the language writes percentages ("40 %", "40%")."""

    value: float


@frozen_value
class Command:
    """A command named in a sentence ("Use {sign} to add your name"): the core names the
    command, the reader's translator writes it as their platform lists it — Discord shows each
    client its own language's command names, Telegram and the console keep ``/sign``."""

    name: str


def msg(text: str, /, **values: Any) -> Msg:
    return Msg(text, values)


def nmsg(singular: str, plural: str, count: int, /, **values: Any) -> Msg:
    return Msg(singular, values, plural, count)


def pmsg(context: str, text: str, /, **values: Any) -> Msg:
    return Msg(text, values, context=context)


def joined(parts: Iterable[Msg | str], separator: str = "\n") -> Msg:
    """Several texts as one, each rendered (and escaped) on its own: the lines of a reply."""
    values = {f"part{i}": part for i, part in enumerate(parts)}
    template = separator.join("{" + key + "}" for key in values)
    return Msg(template, values, verbatim=True)


# -- rendering ---------------------------------------------------------------------------------
Escape = Callable[[str], str]
#: Values :meth:`Translator._fill` renders itself, and numbers: tuples, not ``A | B`` unions,
#: which would be built anew on every call (rendering runs for every reply).
_RENDERED = (Command, Msg, Percent, Strong)
_NUMBERS = (int, float)
#: How a platform writes a command's name for a reader: ``(translator, "sign") -> "/firmar"``.
CommandNames = Callable[["Translator", str], str]


def slash_command(tr: Translator, name: str) -> str:
    """A command as Telegram and the console take it, the same in every language: ``/sign``."""
    return f"/{name}"


class Raw(str):
    """A value that is already markup for the target platform: inserted without escaping."""

    __slots__ = ()


class _Values(dict[str, Any]):
    """Format values; an unknown placeholder in a translation stays visible instead of failing
    (the catalogue checks keep placeholders equal to the source, this is the last guard)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """One language's view of the catalogue. Cheap to pass around; one instance per language."""

    def __init__(
        self,
        language: str,
        catalogue: gettext.NullTranslations,
        commands: CommandNames = slash_command,
    ) -> None:
        self.language = language
        self._catalogue = catalogue
        self._commands = commands

    def with_commands(self, commands: CommandNames) -> Translator:
        """This language, writing :class:`Command` values with ``commands``
        (an adapter's: Discord names each command as the reader's client lists it)."""
        return Translator(self.language, self._catalogue, commands)

    def command(self, name: str) -> str:
        """A command's name as this reader types it on their platform ("/sign", "/firmar")."""
        return self._commands(self, name)

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"

    # -- messages ----------------------------------------------------------------------------
    def t(self, message: str, /, *, escape: Escape | None = None, **values: Any) -> str:
        """The translation of ``message`` with ``values`` filled in."""
        return self._fill(self._catalogue.gettext(message), values, escape)

    def n(
        self,
        singular: str,
        plural: str,
        count: int,
        /,
        *,
        escape: Escape | None = None,
        **values: Any,
    ) -> str:
        """The plural form ``count`` needs in this language (CLDR rules, through the catalogue's
        Plural-Forms); ``{count}`` is the number formatted for the language unless given."""
        values.setdefault("count", self.number(count))
        return self._fill(self._catalogue.ngettext(singular, plural, count), values, escape)

    def p(
        self, context: str, message: str, /, *, escape: Escape | None = None, **values: Any
    ) -> str:
        """A translation distinguished by ``context`` (a command name, a button label)."""
        return self._fill(self._catalogue.pgettext(context, message), values, escape)

    def render(
        self,
        msg: Msg,
        *,
        escape: Escape | None = None,
        strong: Escape | None = None,
        escape_template: bool = True,
        **extra: Any,
    ) -> str:
        """A message the core composed without knowing the reader's language.

        ``escape`` makes the text inert for the platform (values too, except :class:`Raw`);
        ``escape_template=False`` escapes only the values, for a platform whose escaping of the
        catalogue's own sentences would show (Discord escapes a "#" that starts a line).
        ``strong`` marks up the :class:`Strong` values (bold); numbers are
        written as the language writes them. ``extra`` values replace the message's own."""
        values: dict[str, Any]
        if escape is not None and not escape_template and not extra:
            # Each value rendered and escaped in one pass (a reply on Discord, every time),
            # then filled in unescaped below: no need to mark them Raw.
            values = {}
            for key, v in msg.values.items():
                if type(v) is not str:  # a plain str (a name as typed) needs no rendering
                    v = self._value(v, escape, strong, False)
                    if isinstance(v, Raw):
                        values[key] = v
                        continue
                    v = str(v)
                values[key] = escape(v)
            escape = None
        else:
            values = {  # a plain str (a name, a number as typed) is taken as it is
                key: v if type(v) is str else self._value(v, escape, strong, escape_template)
                for key, v in msg.values.items()
            }
            values.update(extra)
            if escape is not None and not escape_template:
                values = {k: v if isinstance(v, Raw) else escape(str(v)) for k, v in values.items()}
                escape = None
        catalogue = self._catalogue
        if msg.verbatim:
            template = msg.text
        elif msg.plural is not None:
            count = msg.count or 0
            if "count" not in values:  # the number, not escaped: digits and separators only
                values["count"] = Raw(self.number(count))
            template = catalogue.ngettext(msg.text, msg.plural, count)
        elif msg.context is not None:
            template = catalogue.pgettext(msg.context, msg.text)
        else:
            template = catalogue.gettext(msg.text)
        if extra:  # given as they are: may still need rendering
            return self._fill(template, values, escape)
        return self._format(template, values, escape)  # each value rendered above

    def _value(
        self,
        value: Any,
        escape: Escape | None,
        strong: Escape | None,
        escape_template: bool = True,
    ) -> Any:
        """One value of a message, rendered in this language: a :class:`Raw` string when it
        is already escaped or marked up, as given otherwise."""
        if isinstance(value, Msg):
            inner = self.render(
                value, escape=escape, strong=strong, escape_template=escape_template
            )
            return Raw(inner)
        if isinstance(value, Percent):
            return self.percent(value.value)
        if isinstance(value, Command):
            return self.command(value.name)
        if isinstance(value, Strong):
            inner = self._value(value.value, escape, strong, escape_template)
            if not isinstance(inner, Raw):
                inner = escape(str(inner)) if escape is not None else str(inner)
            return Raw(strong(inner)) if strong is not None else Raw(inner)
        if isinstance(value, _NUMBERS) and not isinstance(value, bool):
            return self.number(value)
        return value

    # -- numbers and dates -------------------------------------------------------------------
    def number(self, value: int | float) -> str:
        """``1000`` as this language writes it: "1,000", "1.000", "1 000"."""
        group = DIGIT_GROUPS.get(self.language)
        if isinstance(value, int) and group is not None:
            return f"{value:,}".replace(",", group)
        return _number_format(self.language)(value)

    def percent(self, value: float) -> str:
        """``0.4`` as this language writes a share: "40%", "40 %"."""
        from babel.numbers import format_percent

        return format_percent(value, locale=self.language)

    def date(self, value: date | datetime) -> str:
        """A date (a medium format: "7 Dec 2026", "7 dic 2026")."""
        from babel.dates import format_date

        return format_date(value, "medium", locale=self.language)

    def datetime(self, value: datetime) -> str:
        """A moment, to the minute, in UTC as stored ("7 Dec 2026, 03:04 UTC")."""
        from babel.dates import format_datetime

        return format_datetime(value, "medium", locale=self.language)

    # -- internals ---------------------------------------------------------------------------
    def _fill(self, template: str, values: Mapping[str, Any], escape: Escape | None) -> str:
        # A core message given to t/n/p as a value ("Usage: {usage}") is rendered here too.
        values = {
            k: self._value(v, escape, None) if isinstance(v, _RENDERED) else v
            for k, v in values.items()
        }
        return self._format(template, values, escape)

    def _format(self, template: str, values: Mapping[str, Any], escape: Escape | None) -> str:
        """``template`` filled with ``values`` that need no rendering any more."""
        if escape is not None:
            template = escape(template)
            values = {k: v if isinstance(v, Raw) else escape(str(v)) for k, v in values.items()}
        if not values:
            return template
        return template.format_map(_Values(values))


#: How each language writes a whole number: this symbol between groups of three digits, as
#: Babel's CLDR data has it (tests/i18n check the two agree). Counts are the numbers pledgebot
#: shows most; written from this table, a bot that has only counted never loads Babel's locale
#: data (about 7 MB resident, and 10–20 ms of CPU, at the first count past 999).
DIGIT_GROUPS: dict[str, str] = {"en": ",", "es": ".", "fr": "\u202f", "de": ".", "pt_BR": "."}


@cache
def _number_format(language: str) -> Callable[[int | float], str]:
    from babel.numbers import format_decimal

    def fmt(value: int | float) -> str:
        return format_decimal(value, locale=language)

    return fmt


@cache
def translator(language: str = DEFAULT_LANGUAGE) -> Translator:
    """The translator for one of :data:`~bot.i18n.languages.LANGUAGES` (English otherwise)."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return Translator(DEFAULT_LANGUAGE, gettext.NullTranslations())
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as fp:
        return Translator(language, gettext.GNUTranslations(fp))
