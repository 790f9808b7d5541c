"""The gateway websocket: HELLO, IDENTIFY and READY, GUILD_CREATE, heartbeats, RESUME with
replay, and the controls a test uses to dispatch events or break the connection."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import WSMsgType, web

from tests.fakes.fake_discord.models import JSON, FakeChannel, FakeGuild
from tests.fakes.fake_discord.payloads import PayloadsMixin
from tests.fakes.fake_discord.records import GatewayFrame
from tests.fakes.fake_discord.wire import COMPACT


class GatewayConnection:
    """One websocket from a client; frames are plain TEXT JSON (discord.py accepts them)."""

    def __init__(self, number: int, ws: web.WebSocketResponse) -> None:
        self.number = number
        self.ws = ws
        self.session: GatewaySession | None = None

    async def send(self, frame: JSON, text: str | None = None) -> bool:
        """Send ``frame``; ``text``, when given, is its JSON already (see PreparedInteraction)."""
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(text or json.dumps(frame, separators=COMPACT))
        except ConnectionError:
            return False
        return True

    async def close(self, code: int) -> None:
        await self.ws.close(code=code)


@dataclass
class GatewaySession:
    """A READY session: keeps sequence numbers and history so RESUME can replay missed events."""

    session_id: str
    identify: JSON
    seq: int = 0
    history: list[JSON] = field(default_factory=list)
    connection: GatewayConnection | None = None

    HISTORY_LIMIT: ClassVar[int] = 1000

    def next_frame(self, event: str, data: Any) -> JSON:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.history.append(frame)
        del self.history[: -self.HISTORY_LIMIT]
        return frame


class GatewayMixin(PayloadsMixin):
    """``GET /ws``: one session at a time, as a single-shard bot sees Discord."""

    @property
    def gateway_connection_count(self) -> int:
        return len(self._connections)

    async def wait_for_gateway(
        self,
        op: int,
        *,
        predicate: Callable[[GatewayFrame], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
        since: int = 0,
    ) -> GatewayFrame:
        """A client frame with opcode ``op`` (2 IDENTIFY, 6 RESUME, ...), after it was handled."""
        return await self.gateway_frames.wait_for(
            lambda f: f.op == op and (predicate is None or predicate(f)),
            timeout=timeout,
            since=since,
        )

    async def dispatch(self, event: str, data: Any) -> int:
        """Send a DISPATCH (op 0) to the current session; returns its sequence number.

        While the client is disconnected the event is only kept, and replayed on RESUME.
        """
        return await self._dispatch(event, data, None)

    async def _dispatch(self, event: str, data: Any, encoded: str | None) -> int:
        session = self._current_session
        if session is None:
            raise RuntimeError("no gateway session: the client has not sent IDENTIFY yet")
        frame = session.next_frame(event, data)
        if session.connection is not None:
            text = None
            if encoded is not None:  # the frame's JSON around the data's, already serialised
                text = f'{{"op":0,"t":{json.dumps(event)},"s":{frame["s"]},"d":{encoded}}}'
            await session.connection.send(frame, text)
        return int(frame["s"])

    async def delete_channel(self, channel: FakeChannel) -> None:
        """An admin deletes a channel: REST then answers 404 for it, and CHANNEL_DELETE says so."""
        payload = self._channel_payload(channel)
        self.channels.pop(channel.id, None)
        if channel.guild_id is not None:
            self.guilds[channel.guild_id].channels.pop(channel.id, None)
        await self.dispatch("CHANNEL_DELETE", payload)

    async def remove_bot_from_guild(self, guild: FakeGuild) -> None:
        """The bot is kicked from a guild: its channels are gone for the bot (404), and
        GUILD_DELETE comes without ``unavailable`` (which would mean an outage instead)."""
        for channel_id in guild.channels:
            self.channels.pop(channel_id, None)
        self.guilds.pop(guild.id, None)
        await self.dispatch("GUILD_DELETE", {"id": str(guild.id)})

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py closes and RESUMEs at ``resume_gateway_url``."""
        await self._send_to_current({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the client identifies afresh."""
        await self._send_to_current({"op": 9, "d": resumable, "s": None, "t": None})

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000 makes discord.py try to RESUME)."""
        for connection in list(self._connections):
            await connection.close(code)

    async def _send_to_current(self, frame: JSON) -> None:
        session = self._current_session
        if session is None or session.connection is None:
            raise RuntimeError("no connected gateway session")
        await session.connection.send(frame)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0)
        await ws.prepare(request)
        connection = GatewayConnection(next(self._connection_numbers), ws)
        self._connections.append(connection)
        try:
            hello = {"heartbeat_interval": self._heartbeat_interval_ms, "_trace": ["fake-discord"]}
            await connection.send({"op": 10, "d": hello, "s": None, "t": None})
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_gateway_frame(connection, json.loads(frame.data))
        finally:
            self._connections.remove(connection)
            session = connection.session
            if session is not None and session.connection is connection:
                session.connection = None
        return ws

    async def _on_gateway_frame(self, connection: GatewayConnection, frame: JSON) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            await connection.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(connection, data or {})
        elif op == 6:
            await self._resume(connection, data or {})
        elif op == 8:
            await self._send_member_chunk(connection, data or {})
        self.gateway_frames.append(GatewayFrame(connection.number, int(op or 0), data))

    async def _identify(self, connection: GatewayConnection, identify: JSON) -> None:
        """READY (guilds unavailable), then one GUILD_CREATE per guild."""
        if self.required_token is not None and identify.get("token") != self.required_token:
            await connection.close(4004)
            return
        session = GatewaySession(secrets.token_hex(16), identify, connection=connection)
        self._sessions[session.session_id] = session
        self._current_session = session
        connection.session = session
        ready: JSON = {
            "v": 10,
            "user": self._bot_user_payload(),
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in self.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if "shard" in identify:
            ready["shard"] = identify["shard"]
        await connection.send(session.next_frame("READY", ready))
        for guild in self.guilds.values():
            await connection.send(
                session.next_frame("GUILD_CREATE", self._guild_create_payload(guild))
            )

    async def _resume(self, connection: GatewayConnection, resume: JSON) -> None:
        """Replay what the client missed, then RESUMED; unknown sessions get INVALID_SESSION."""
        session = self._sessions.get(str(resume.get("session_id")))
        if session is None:
            await connection.send({"op": 9, "d": False, "s": None, "t": None})
            return
        session.connection = connection
        connection.session = session
        self._current_session = session
        last_seen = int(resume.get("seq") or 0)
        for frame in session.history:
            if frame["s"] > last_seen:
                await connection.send(frame)
        await connection.send(session.next_frame("RESUMED", {"_trace": ["fake-discord"]}))

    async def _send_member_chunk(self, connection: GatewayConnection, request: JSON) -> None:
        if connection.session is None:
            return
        guild = self.guilds.get(int(request.get("guild_id") or 0))
        if guild is None:
            return
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": request.get("nonce"),
        }
        await connection.send(connection.session.next_frame("GUILD_MEMBERS_CHUNK", chunk))
