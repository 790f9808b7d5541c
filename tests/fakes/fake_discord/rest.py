"""The REST API: the route table, the middleware that records every request and applies
injected faults, and the handlers for users, members, channels and the gateway address."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

from tests.fakes.fake_discord.callbacks import CallbacksMixin
from tests.fakes.fake_discord.commands import CommandsMixin
from tests.fakes.fake_discord.errors import DiscordAPIError
from tests.fakes.fake_discord.faults import FaultsMixin, take_rule
from tests.fakes.fake_discord.gateway import GatewayMixin
from tests.fakes.fake_discord.models import API_PREFIX, GATEWAY_PATH
from tests.fakes.fake_discord.records import RecordedRequest
from tests.fakes.fake_discord.state import find_or_404
from tests.fakes.fake_discord.wire import (
    REQUEST_BODY,
    json_response,
    parse_body,
    response_json_body,
)


class RestMixin(FaultsMixin, CommandsMixin, CallbacksMixin, GatewayMixin):
    """Everything under ``/api/v10``; `GatewayMixin` serves the websocket beside it."""

    def _routes(self) -> list[web.RouteDef]:
        p = API_PREFIX
        app_commands = f"{p}/applications/{{app_id}}/commands"
        guild_commands = f"{p}/applications/{{app_id}}/guilds/{{guild_id}}/commands"
        channel_message = f"{p}/channels/{{channel_id}}/messages/{{message_id}}"
        webhook_message = f"{p}/webhooks/{{app_id}}/{{token}}/messages/{{message_id}}"
        return [
            web.get(GATEWAY_PATH, self._gateway),
            web.get(f"{p}/gateway", self._get_gateway),
            web.get(f"{p}/gateway/bot", self._get_gateway_bot),
            web.get(f"{p}/users/@me", self._get_me),
            web.post(f"{p}/users/@me/channels", self._create_dm),
            web.get(f"{p}/users/{{user_id}}", self._get_user),
            web.get(f"{p}/oauth2/applications/@me", self._get_application),
            web.get(app_commands, self._get_commands),
            web.put(app_commands, self._put_commands),
            web.post(app_commands, self._post_command),
            web.get(guild_commands, self._get_commands),
            web.put(guild_commands, self._put_commands),
            web.post(guild_commands, self._post_command),
            web.get(f"{p}/guilds/{{guild_id}}/members/{{user_id}}", self._get_member),
            web.get(f"{p}/channels/{{channel_id}}", self._get_channel),
            web.post(f"{p}/channels/{{channel_id}}/messages", self._post_message),
            *self._message_routes(channel_message, self._channel_message),
            web.post(f"{p}/interactions/{{interaction_id}}/{{token}}/callback", self._callback),
            web.post(f"{p}/webhooks/{{app_id}}/{{token}}", self._post_followup),
            *self._message_routes(webhook_message, self._webhook_target),
        ]

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Record every API request, apply injected faults, and shape errors like Discord."""
        if not request.path.startswith(f"{API_PREFIX}/"):
            return await handler(request)
        body = await parse_body(request)
        path = request.path[len(API_PREFIX) :]
        record = RecordedRequest(
            index=len(self.requests),
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=request.headers,  # already a read-only copy of what was sent
            json=body.json,
            files=body.files,
            raw_body=body.raw,
        )
        fault = take_rule(self._faults, request.method, path)
        if fault is not None:
            response: web.StreamResponse = fault.response.to_response()
            record.faulted = True
        else:
            REQUEST_BODY.set(body)
            delay = take_rule(self._delays, request.method, path)
            if delay is not None and not delay.process_first:
                await asyncio.sleep(delay.seconds)
            response = await self._run_handler(handler, request, self._check_auth)
            if delay is not None and delay.process_first:
                await asyncio.sleep(delay.seconds)
        record.status = response.status
        record._response_body = response_json_body(response)
        self.requests.append(record)
        return response

    @staticmethod
    async def _run_handler(
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        request: web.Request,
        check_auth: Callable[[web.Request], None],
    ) -> web.StreamResponse:
        try:
            check_auth(request)
            return await handler(request)
        except DiscordAPIError as exc:
            return exc.to_response()
        except web.HTTPMethodNotAllowed:
            return DiscordAPIError(405, 0, "405: Method Not Allowed").to_response()
        except web.HTTPNotFound:
            return DiscordAPIError(404, 0, "404: Not Found").to_response()

    def _check_auth(self, request: web.Request) -> None:
        """Interaction callbacks and webhooks authenticate by token in the URL, not a header."""
        if self.required_token is None:
            return
        path = request.path[len(API_PREFIX) :]
        if path.startswith(("/interactions/", "/webhooks/")):
            return
        if request.headers.get(hdrs.AUTHORIZATION) != f"Bot {self.required_token}":
            raise DiscordAPIError(401, 0, "401: Unauthorized")

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_me(self, request: web.Request) -> web.Response:
        return json_response(self._bot_user_payload())

    async def _get_user(self, request: web.Request) -> web.Response:
        user = find_or_404(self.users, request.match_info["user_id"], 10013, "User")
        return json_response(user.to_payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response(self._application_payload())

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = REQUEST_BODY.get().json or {}
        recipient = str(body.get("recipient_id", ""))
        if not recipient.isdigit() or int(recipient) not in self.users:
            raise DiscordAPIError(400, 50033, "Invalid Recipient(s)")
        return json_response(self._channel_payload(self.dm_channel(int(recipient))))

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request.match_info["guild_id"])
        member = find_or_404(guild.members, request.match_info["user_id"], 10007, "Member")
        return json_response(member.to_payload())

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request.match_info["channel_id"])
        return json_response(self._channel_payload(channel))
