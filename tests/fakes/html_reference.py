"""The fake Bot API's HTML parse mode as it was first written: a character-by-character loop,
kept verbatim as the reference that the fast ``render_html`` in
``tests/fakes/fake_telegram/formatting.py`` is checked against (``test_fake_telegram_html.py``).
Not used by the fake itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.fakes.fake_telegram.errors import BotApiError, bad_request
from tests.fakes.fake_telegram.formatting import utf16_len
from tests.fakes.fake_telegram.models import JSON

_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


def _unescape(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(1)), text)


def _decode_entity(name: str) -> str:
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name]
    number = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
    return chr(number) if 0 < number <= 0x10FFFF else ""


def _parse_error(source: str, index: int, what: str) -> BotApiError:
    offset = len(source[:index].encode("utf-8"))
    return bad_request(f"can't parse entities: {what} at byte offset {offset}")


@dataclass
class _OpenTag:
    name: str
    start: int
    entity: JSON | None
    language: str | None = None


def _open_tag(name: str, attrs: dict[str, str], start: int) -> _OpenTag | None:
    """The entity a start tag opens, or None for an unsupported tag."""
    if name in _SIMPLE_TAGS:
        entity: JSON | None = {"type": _SIMPLE_TAGS[name]}
        language = None
        if name == "code":
            css = attrs.get("class", "")
            language = css.removeprefix("language-") if css.startswith("language-") else None
        return _OpenTag(name, start, entity, language)
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            return None
        return _OpenTag(name, start, {"type": "spoiler"})
    if name == "a":
        href = attrs.get("href")
        if not href:
            return _OpenTag(name, start, None)
        match = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if match:
            user = {"id": int(match.group(1)), "is_bot": False, "first_name": ""}
            return _OpenTag(name, start, {"type": "text_mention", "user": user})
        return _OpenTag(name, start, {"type": "text_link", "url": href})
    if name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        return _OpenTag(name, start, {"type": kind})
    if name == "tg-emoji":
        return _OpenTag(
            name, start, {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "")}
        )
    return None


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


def _close_tag(
    source: str,
    index: int,
    name: str,
    stack: list[_OpenTag],
    entities: list[JSON],
    position: int,
) -> None:
    if not stack:
        raise _parse_error(source, index, "Unexpected end tag")
    tag = stack.pop()
    if tag.name != name:
        raise _parse_error(
            source, index, f'Unmatched end tag, expected "</{tag.name}>", found "</{name}>"'
        )
    length = position - tag.start
    if tag.entity is None or length <= 0:
        return
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one "pre" entity with a language.
        if tag.language and stack[-1].entity is not None:
            stack[-1].entity["language"] = tag.language
        return
    entities.append({**tag.entity, "offset": tag.start, "length": length})
