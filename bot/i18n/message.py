"""Messages the core composes without knowing who will read them.

The core does not know a reader's language (one approval notifies a signer in Spanish and
redraws a card in a German mod channel), so it returns :class:`Msg` values — the English source
text, which is the gettext message id, and the values to fill in — and each adapter renders
them through the reader's :class:`~bot.i18n.translator.Translator`. The constructors
:func:`msg` and :func:`nmsg` are also the markers ``make messages`` extracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Msg", "msg", "nmsg", "pmsg"]


@dataclass(frozen=True, slots=True)
class Msg:
    text: str
    values: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None
    context: str | None = None

    def __str__(self) -> str:  # English, for logs and for code that has no reader yet
        from bot.i18n.translator import translator

        return translator().render(self)


def msg(text: str, /, **values: Any) -> Msg:
    return Msg(text, values)


def nmsg(singular: str, plural: str, count: int, /, **values: Any) -> Msg:
    return Msg(singular, values, plural, count)


def pmsg(context: str, text: str, /, **values: Any) -> Msg:
    return Msg(text, values, context=context)
