"""Which language a reader of the page is answered in: ``?lang=``, then the browser's
``Accept-Language``, then ``[i18n] default_language``.

``?lang=`` comes first because it is a choice the reader made (the page's language links carry
it); ``Accept-Language`` is only what their browser was set up with. Both are client input:
anything pledgebot does not speak is passed over, never an error.
"""

from __future__ import annotations

from bot.i18n import DEFAULT_LANGUAGE, negotiate, parse_accept_language

__all__ = ["ReaderLanguage"]

#: Distinct (lang, Accept-Language) pairs remembered; browsers send few distinct headers, so a
#: burst of readers costs one dictionary look-up each.
_KEPT = 1024
#: Longer headers are negotiated each time rather than kept (a hostile client cannot fill the
#: memory with them).
_LONGEST_KEPT = 256


class ReaderLanguage:
    def __init__(self, default: str = DEFAULT_LANGUAGE) -> None:
        self.default = default
        self._known: dict[tuple[str | None, str | None], str] = {}

    def __call__(self, lang: str | None, accept_language: str | None) -> str:
        key = (lang, accept_language)
        found = self._known.get(key)
        if found is not None:
            return found
        chosen = negotiate([lang, *parse_accept_language(accept_language)], self.default)
        if len(lang or "") + len(accept_language or "") <= _LONGEST_KEPT:
            if len(self._known) >= _KEPT:
                self._known.clear()
            self._known[key] = chosen
        return chosen
