"""The page's wording in one reader's language, as the templates call it.

Templates say ``{{ t("Latest signatories") }}``, ``{{ n("{count} signature so far", "{count}
signatures so far", count) }}`` and ``{{ number(x) }}``: the same ``t``/``n``/``p`` names as
:class:`bot.i18n.Translator`, so ``make messages`` extracts the templates with the keywords it
already uses for Python. Each call returns HTML that is safe to insert: the translated sentence
is escaped, and so is every value but :class:`markupsafe.Markup` (markup the template built
itself, like a link or a ``<strong>`` the live script updates). Whole numbers are written the
way the language writes them ("1,000", "1.000", "1 000").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Raw, translator

__all__ = ["PageWords", "html_language", "words"]


def html_language(language: str) -> str:
    """The catalogue's name for a language as HTML and URLs write it: ``pt_BR`` -> ``pt-BR``."""
    return language.replace("_", "-")


def _escape(text: str) -> str:
    return str(escape(text))


#: For each CLDR plural category a language has, a number in that category (how the live
#: script finds the form of a sentence for a count the page did not render).
_SAMPLES = (*range(0, 200), 1_000_000, 1_000_001)


class PageWords:
    """One language's wording functions for the templates (one instance per language)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.tr = translator(language)
        self.html_lang = html_language(language)

    def _values(self, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if isinstance(value, Markup):
                out[key] = Raw(str(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                out[key] = self.tr.number(value)
            else:
                out[key] = value
        return out

    def t(self, text: str, /, **values: Any) -> Markup:
        return Markup(self.tr.t(text, escape=_escape, **self._values(values)))

    def n(self, singular: str, plural: str, count: int, /, **values: Any) -> Markup:
        return Markup(self.tr.n(singular, plural, count, escape=_escape, **self._values(values)))

    def p(self, context: str, text: str, /, **values: Any) -> Markup:
        return Markup(self.tr.p(context, text, escape=_escape, **self._values(values)))

    def number(self, value: int | float) -> str:
        return self.tr.number(value)

    def percent(self, value: float) -> str:
        """A share (0.25) as this language writes a percentage ("25 %" in French)."""
        from babel.numbers import format_percent

        return format_percent(value, locale=self.language)

    def date(self, value: date | datetime | None) -> str:
        return self.tr.date(value) if value is not None else ""

    def datetime(self, value: datetime | None) -> str:
        """A moment with its time zone, UTC as stored ("7 de diciembre de 2026, 3:04:05 UTC"):
        a reader anywhere must not take it for their local time."""
        if value is None:
            return ""
        from babel.dates import format_datetime

        return format_datetime(value, "long", tzinfo=UTC, locale=self.language)

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """The sentence's template (``{count}`` left in) for each CLDR plural category of this
        language, for the live script (``Intl.PluralRules``) to fill in without a reload."""
        return _plural_forms(self.language, singular, plural)

    def languages(self) -> list[tuple[str, str, str]]:
        """Every language of the page: code, HTML tag and the language's own name."""
        return [(code, html_language(code), LANGUAGE_NAMES[code]) for code in LANGUAGES]

    def functions(self) -> dict[str, object]:
        """What a template sees."""
        return {
            "t": self.t,
            "n": self.n,
            "p": self.p,
            "number": self.number,
            "percent": self.percent,
            "date": self.date,
            "datetime": self.datetime,
            "plural_forms": self.plural_forms,
            "html_lang": self.html_lang,
            "language": self.language,
            "languages": self.languages(),
        }


@cache
def _plural_forms(language: str, singular: str, plural: str) -> dict[str, str]:
    from babel import Locale

    rule = Locale.parse(language).plural_form
    tr = translator(language)
    forms: dict[str, str] = {}
    for sample in _SAMPLES:
        category = rule(sample)
        if category not in forms:
            forms[category] = tr.n(singular, plural, sample, count="{count}")
    return forms


@cache
def words(language: str) -> PageWords:
    return PageWords(language)
