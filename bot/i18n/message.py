"""Messages the core composes without knowing who will read them.

The core does not know a reader's language (one approval notifies a signer in Spanish and
redraws a card in a German mod channel), so it returns :class:`Msg` values — the English source
text, which is the gettext message id, and the values to fill in — and each adapter renders
them through the reader's :class:`~bot.i18n.translator.Translator`. The constructors
:func:`msg`, :func:`nmsg` and :func:`pmsg` are also the markers ``make messages`` extracts.

A value may itself be a :class:`Msg` (rendered in the same language first), a number (written
as the language writes numbers), :class:`Strong` (marked up by the adapter, bold where its
platform can), :class:`Percent` or :class:`Command` (a command's name as the reader's platform
lists it: ``/firmar`` in a Spanish Discord client, ``/sign`` on Telegram). :func:`joined` puts
several messages together (lines of a status) without adding a sentence of its own to the
catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Command", "Msg", "Percent", "Strong", "joined", "msg", "nmsg", "pmsg"]


@dataclass(frozen=True, slots=True)
class Msg:
    """A text to render in the reader's language: ``text`` is the English source (the message
    id; the singular when ``plural`` is set), ``values`` fill its ``{placeholders}``.
    ``verbatim`` texts are templates of the code's own (a separator), never translated."""

    text: str
    values: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None
    context: str | None = None
    verbatim: bool = False

    def __str__(self) -> str:  # English, for logs and for code that has no reader yet
        from bot.i18n.translator import translator

        return translator().render(self)


@dataclass(frozen=True, slots=True)
class Strong:
    """A value the reader's eye should find (a count, a heading word): the adapter decides the
    markup (``strong=`` of :meth:`~bot.i18n.translator.Translator.render`), plain otherwise."""

    value: Any


@dataclass(frozen=True, slots=True)
class Percent:
    """A share between 0 and 1, written as the language writes percentages ("40 %", "40%")."""

    value: float


@dataclass(frozen=True, slots=True)
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
