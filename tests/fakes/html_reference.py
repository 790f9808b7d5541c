"""The fake Bot API's HTML parse mode as it was first written: the character-by-character main
loop, kept verbatim as the reference that the fast ``render_html`` in
``tests/fakes/fake_telegram/formatting.py`` is checked against (``test_fake_telegram_html.py``).
The tag, attribute and entity helpers it calls are the fast version's own, which the rewrite
left unchanged. Not used by the fake itself."""

from __future__ import annotations

from tests.fakes.fake_telegram.errors import bad_request
from tests.fakes.fake_telegram.formatting import (
    _ATTR_RE,
    _ENTITY_RE,
    _TAG_RE,
    _close_tag,
    _decode_entity,
    _open_tag,
    _OpenTag,
    _parse_error,
    _unescape,
    utf16_len,
)
from tests.fakes.fake_telegram.models import JSON


def reference_render_html(source: str) -> tuple[str, list[JSON]]:
    """Render a ``parse_mode="HTML"`` text the way Telegram does: plain text + entities.

    Raises :class:`BotApiError` 400 "can't parse entities: …" for unsupported tags (``<br>``,
    a bare ``<`` in user input), unbalanced or unclosed tags — the errors an adapter that forgets
    to escape user-supplied names would meet in production.
    """
    out: list[str] = []
    position = 0  # in UTF-16 units
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            match = _TAG_RE.match(source, index)
            if match is None:
                raise _parse_error(source, index, "Unexpected end of name token")
            closing, name = match.group(1) == "/", match.group(2).lower()
            if closing:
                _close_tag(source, index, name, stack, entities, position)
            else:
                attrs = {
                    key.lower(): _unescape(value.strip("\"'")) if value else ""
                    for key, value in _ATTR_RE.findall(match.group(3))
                }
                tag = _open_tag(name, attrs, position)
                if tag is None:
                    raise _parse_error(source, index, f'Unsupported start tag "{name}"')
                stack.append(tag)
            index = match.end()
            continue
        if char == "&" and (match := _ENTITY_RE.match(source, index)):
            piece = _decode_entity(match.group(1))
            index = match.end()
        else:
            piece = char
            index += 1
        out.append(piece)
        position += utf16_len(piece)
    if stack:
        name = stack[-1].name
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{name}\""
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
