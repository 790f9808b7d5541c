"""What Telegram does to a message's text and keyboard: the HTML parse mode (rendered into
plain text + entities, with Telegram's errors), length limits, and inline keyboard checks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tests.fakes.fake_telegram.errors import BotApiError, bad_request
from tests.fakes.fake_telegram.models import JSON

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_SPECIAL_RE = re.compile(r"[<&]")
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


def render_html(source: str) -> tuple[str, list[JSON]]:
    """Render a ``parse_mode="HTML"`` text the way Telegram does: plain text + entities.

    Raises :class:`BotApiError` 400 "can't parse entities: …" for unsupported tags (``<br>``,
    a bare ``<`` in user input), unbalanced or unclosed tags — the errors an adapter that forgets
    to escape user-supplied names would meet in production.

    The text between markup (``<`` and ``&``) is taken a run at a time, not a character at a
    time: the fake is the measuring device of the Telegram benchmarks, and a per-character loop
    made it cost more CPU per reply than the bot it measured. The result, and which error is
    raised for which input, are those of the character loop it replaced
    (``tests/fakes/html_reference.py``, checked by ``tests/fakes/test_fake_telegram_html.py``).
    """
    special = _SPECIAL_RE.search(source)
    if special is None:
        utf16_len(source)  # a lone surrogate fails here, as it would on Telegram's side
        return source, []
    out: list[str] = []
    position = 0  # in UTF-16 units
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    index = 0
    end = len(source)
    while special is not None:
        start = special.start()
        if start > index:
            run = source[index:start]
            out.append(run)
            position += utf16_len(run)
        if source[start] == "<":
            match = _TAG_RE.match(source, start)
            if match is None:
                raise _parse_error(source, start, "Unexpected end of name token")
            closing, name = match.group(1) == "/", match.group(2).lower()
            if closing:
                _close_tag(source, start, name, stack, entities, position)
            else:
                attrs = {
                    key.lower(): _unescape(value.strip("\"'")) if value else ""
                    for key, value in _ATTR_RE.findall(match.group(3))
                }
                tag = _open_tag(name, attrs, position)
                if tag is None:
                    raise _parse_error(source, start, f'Unsupported start tag "{name}"')
                stack.append(tag)
            index = match.end()
        elif match := _ENTITY_RE.match(source, start):
            piece = _decode_entity(match.group(1))
            out.append(piece)
            position += utf16_len(piece)
            index = match.end()
        else:  # a lone "&" is text
            out.append("&")
            position += 1
            index = start + 1
        special = _SPECIAL_RE.search(source, index)
    if index < end:
        run = source[index:]
        out.append(run)
        utf16_len(run)
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


def callback_datas(message: JSON) -> set[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["callback_data"] for row in rows for b in row if "callback_data" in b}


def formatted(
    text: Any,
    parse_mode: Any,
    entities: Any,
    *,
    caption: bool,
) -> tuple[str, list[JSON]]:
    """Apply ``parse_mode`` / explicit entities and Telegram's length limits."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = json.dumps(text)
    if parse_mode in (None, ""):
        plain, found = text, list(entities or [])
    elif str(parse_mode).lower() == "html":
        plain, found = render_html(text)
    elif str(parse_mode).lower() in ("markdown", "markdownv2"):
        plain, found = text, []  # not rendered by the fake
    else:
        raise bad_request("unsupported parse_mode")
    if not caption and not plain.strip():
        raise bad_request("message text is empty")
    limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
    if utf16_len(plain) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return plain, found


def checked_markup(markup: Any) -> JSON | None:
    """Validate ``reply_markup``; return what a sent Message echoes (inline keyboards only)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    for row in rows:
        for button in row:
            check_button(button)
    return markup


def check_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    kinds = {
        "callback_data",
        "url",
        "switch_inline_query",
        "web_app",
        "login_url",
        "pay",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "callback_game",
        "copy_text",
    }
    if not kinds & button.keys():
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
