"""A small HTTP/1.1 client on asyncio streams: keep-alive, fixed-length and chunked bodies.

Loopback only, and light enough that the load generator spends little of the machine's two
cores on itself (http.client with threads costs several times more per request).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

HOST = "127.0.0.1"
HEAD_LIMIT = 64 * 1024


class ProtocolError(Exception):
    """The server's answer was not HTTP/1.1 as we speak it."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


def encode_request(
    method: str, path: str, port: int, headers: dict[str, str], body: bytes
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def parse_head(head: bytes) -> tuple[int, dict[str, str], dict[str, str]]:
    """Status, headers (lower-case names; repeated ones joined) and the cookies set."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(lines[0][:80])
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            cookie_name, _, cookie_value = value.split(";", 1)[0].partition("=")
            cookies[cookie_name.strip()] = cookie_value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return int(parts[1]), headers, cookies


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers from gunicorn: just the final CRLF
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


class Connection:
    """One keep-alive connection to 127.0.0.1:`port`, reopened when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._used = False

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        raw = encode_request(method, path, self.port, headers or {}, body)
        try:
            return await self._exchange(raw)
        except (asyncio.IncompleteReadError, ConnectionError):
            if not self._used:
                raise
            # The server closed an idle keep-alive connection just as we reused it: the
            # request never reached the application, so sending it again is safe.
            await self.close()
            return await self._exchange(raw)

    async def _exchange(self, raw: bytes) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
            self._used = False
        assert self._reader is not None
        self._writer.write(raw)
        head = await self._reader.readuntil(b"\r\n\r\n")
        self._used = True
        status, headers, cookies = parse_head(head)
        body = await self._read_body(status, headers)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, headers, cookies, body)

    async def _read_body(self, status: int, headers: dict[str, str]) -> bytes:
        assert self._reader is not None
        if status in (204, 304) or 100 <= status < 200:
            return b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await read_chunked(self._reader)
        if "content-length" in headers:
            return await self._reader.readexactly(int(headers["content-length"]))
        body = await self._reader.read()
        await self.close()
        return body

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is None:
            return
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
