"""PTB's wire format: every method a POST, strings raw and everything else JSON-encoded field
by field (multipart when a file is uploaded)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.fakes.fake_telegram.models import JSON, UploadedFile

# Fields whose value PTB sends as a raw string: never JSON-decode them, or a text of "123"
# or "true" would turn into a number or a bool.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "language_code",
        "secret_token",
        "ip_address",
        "file_id",
        "title",
        "description",
        "short_description",
        "name",
        "query",
        "emoji",
        "action",
        "business_connection_id",
        "message_effect_id",
        "document",
        "photo",
        "audio",
        "video",
        "animation",
        "voice",
        "sticker",
        "thumbnail",
        "custom_title",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "question",
        "explanation",
        "invite_link",
    }
)


def decode_param(name: str, raw: str) -> Any:
    """Undo PTB's field encoding: strings raw, everything else JSON-encoded.

    Known string fields stay strings; other fields are JSON-decoded where they parse
    (``"1001"`` → 1001, ``'{"inline_keyboard": …}'`` → dict) and kept raw otherwise
    (``chat_id="@channel"``).
    """
    if name in STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


async def read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Query string + body (form, multipart or JSON), decoded like PTB encodes them."""
    params: JSON = {key: decode_param(key, value) for key, value in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params, files
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(
                    field=key,
                    filename=value.filename,
                    content_type=value.content_type,
                    data=value.file.read(),
                )
            else:
                text = value.decode() if isinstance(value, bytes | bytearray) else str(value)
                params[key] = decode_param(key, text)
    return params, files
