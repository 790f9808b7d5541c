"""How the fake reads a request body and writes a JSON answer the way discord.py expects."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, hdrs, web

from tests.fakes.fake_discord.records import RecordedFile

#: JSON as Discord sends it, without the spaces json.dumps puts after "," and ":".
COMPACT = (",", ":")


def json_response(
    payload: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON response with Content-Type exactly ``application/json``.

    discord.py parses a body as JSON only on that exact header; aiohttp's ``json_response``
    appends ``; charset=utf-8`` and discord.py would then see a str.
    """
    all_headers = {hdrs.CONTENT_TYPE: "application/json", **(headers or {})}
    body = json.dumps(payload, separators=COMPACT).encode()
    return web.Response(status=status, body=body, headers=all_headers)


@dataclass
class ParsedBody:
    json: Any
    files: list[RecordedFile]
    raw: bytes


#: The current request's body, parsed once by the middleware for the handler it calls.
REQUEST_BODY: contextvars.ContextVar[ParsedBody] = contextvars.ContextVar("fake_discord_body")


async def parse_body(request: web.Request) -> ParsedBody:
    """JSON, or multipart with a ``payload_json`` part and ``files[n]`` parts."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[RecordedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            data = bytes(await part.read(decode=False))
            if part.name == "payload_json":
                payload = json.loads(data)
            else:
                content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                files.append(RecordedFile(part.name or "", part.filename or "", content_type, data))
        return ParsedBody(payload, files, b"")
    raw = await request.read()
    if raw and request.content_type == "application/json":
        return ParsedBody(json.loads(raw), [], raw)
    return ParsedBody(None, [], raw)


def response_json_body(response: web.StreamResponse) -> bytes | None:
    """The JSON body of an answer, if it has one (``RecordedRequest.response`` decodes it)."""
    if not isinstance(response, web.Response) or response.content_type != "application/json":
        return None
    body = response.body
    return bytes(body) if isinstance(body, bytes | bytearray) and body else None
