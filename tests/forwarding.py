"""A server that is not there yet: a loopback port that hangs up on every connection until the
test opens it, then passes bytes both ways to a real server (PostgreSQL, a fake platform). What a
bot sees when it starts beside a database that is still booting, or behind a proxy whose
upstream is not up yet. It counts the tries it hung up on, so a test can wait for the bot to
have tried (and tried again) instead of guessing how long start-up takes."""

from __future__ import annotations

import asyncio
import contextlib
import socket

__all__ = ["LateServer"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LateServer:
    """``127.0.0.1:port`` hangs up on connections until :meth:`open`; then it forwards each one
    to ``target_port``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = _free_port()
        self.refused = 0  # connections hung up on while closed
        self._open = False
        self._tried = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def tried(self, times: int) -> None:
        """Until ``times`` connections were hung up on."""
        async with self._tried:
            await self._tried.wait_for(lambda: self.refused >= times)

    def url(self, url: str) -> str:
        """``url`` with the target's port replaced by this one."""
        return url.replace(f":{self.target_port}", f":{self.port}", 1)

    async def open(self) -> None:
        """From now on, connections reach the target."""
        self._open = True

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for pipe in self._pipes:
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def __aenter__(self) -> LateServer:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._open:
            writer.close()
            async with self._tried:
                self.refused += 1
                self._tried.notify_all()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pipe = asyncio.create_task(_copy(source, sink))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            sink.close()
