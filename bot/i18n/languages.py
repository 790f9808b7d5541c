"""Which languages pledgebot speaks, and how a platform's language tag picks one of them.

Discord sends locales such as ``es-ES``, ``es-419`` and ``pt-BR``; Telegram sends IETF tags such
as ``pt-br`` or plain ``de``; browsers send ``Accept-Language`` lists with weights. All of them
reduce to one of :data:`LANGUAGES`, matched on the primary language subtag, because a reader of
``es-MX`` is far better served by Spanish than by the English fallback.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "match_language",
    "negotiate",
    "parse_accept_language",
]

#: The catalogue's languages, as gettext names them (folder names under ``bot/locales``).
#: English is the source language: its texts are the message ids themselves.
LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt_BR")
DEFAULT_LANGUAGE = "en"

#: Each language's own name for itself, for menus and ``check-config``.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "pt_BR": "Português (Brasil)",
}

# Primary subtag -> catalogue language. Portuguese readers get the Brazilian catalogue: it is
# the only Portuguese one, and far closer than English.
_BY_PRIMARY = {"en": "en", "es": "es", "fr": "fr", "de": "de", "pt": "pt_BR"}


def match_language(tag: str | None) -> str | None:
    """The catalogue language for one tag (``es-419``, ``pt_BR``, ``DE``), or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return _BY_PRIMARY.get(primary)


def negotiate(tags: Iterable[str | None], default: str = DEFAULT_LANGUAGE) -> str:
    """The first of ``tags`` (in order of preference) that pledgebot speaks, else ``default``."""
    for tag in tags:
        language = match_language(tag)
        if language is not None:
            return language
    return default


def parse_accept_language(header: str | None, *, limit: int = 16) -> list[str]:
    """The tags of an HTTP ``Accept-Language`` header, most wanted first (``q=0`` dropped).

    A header is client input: malformed weights count as 0 and at most ``limit`` entries are
    read, so a hostile header costs nothing.
    """
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:limit]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
