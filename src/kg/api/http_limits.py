"""HTTP/1.1 limits that uvicorn lacks: the size of a request head and the time to send a request.

uvicorn's httptools protocol buffers header lines without bound and waits for a slow client forever.
`limited_protocol` returns a subclass that
- counts the bytes of each request head (request line and headers) before handing them to the parser:
  once a head passes `max_header_bytes` the client gets 431 and the connection is closed, so the
  event loop never parses more than the limit plus one read;
- gives every request `read_timeout_s` from its first byte (or from the connection's opening) until
  its body is complete; a client still sending then gets 408 (when nothing was answered yet) and
  the connection is closed. Idle keep-alive connections are closed by uvicorn's own keep-alive timeout.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["limited_protocol"]


def limited_protocol(*, max_header_bytes: int, read_timeout_s: float) -> type[asyncio.Protocol]:
    """A uvicorn HTTP protocol class (pass as `uvicorn.Config(http=...)`) enforcing both limits."""
    return type("LimitedHttpToolsProtocol", (_LimitedHttpToolsProtocol,),
                {"max_header_bytes": max_header_bytes, "read_timeout_s": read_timeout_s})


def _refusal(status: int, reason: str, message: str) -> bytes:
    body = message.encode() + b"\n"
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


class _LimitedHttpToolsProtocol(HttpToolsProtocol):
    max_header_bytes = 16_384
    read_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._in_head, self._head_bytes, self._refused = True, 0, False
        self._read_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm_read_deadline()

    def data_received(self, data: bytes) -> None:
        if self._refused or self.transport.is_closing():
            return  # after a refusal the rest of the request is dropped unread
        if self._read_deadline is None:
            self._arm_read_deadline()
        while data:
            if not self._in_head or self._head_bytes + len(data) <= self.max_header_bytes:
                if self._in_head:
                    self._head_bytes += len(data)
                super().data_received(data)
                return
            # only the bytes the limit still allows reach the parser; if they do not end the head, refuse
            allowed = self.max_header_bytes - self._head_bytes
            chunk, data = data[:allowed], data[allowed:]
            self._head_bytes += len(chunk)
            super().data_received(chunk)
            if self._refused or self.transport.is_closing():
                return
            if self._in_head:
                self._refuse(431, "Request Header Fields Too Large",
                             f"the request line and headers exceed {self.max_header_bytes} bytes")
                return

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0
        self._disarm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_deadline()
        super().connection_lost(exc)

    def _arm_read_deadline(self) -> None:
        self._read_deadline = self.loop.call_later(self.read_timeout_s, self._read_timed_out)

    def _disarm_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if self._refused or self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self._refuse(408, "Request Timeout", f"the request was not complete within {self.read_timeout_s:g} s")
        else:
            self.transport.close()

    def _refuse(self, status: int, reason: str, message: str) -> None:
        """Answer `status` and close. The close lingers a moment (the client's remaining bytes are
        dropped unparsed): closing a socket with unread input sends a reset, which can destroy the
        answer before the client reads it."""
        self.logger.info("%s %s from %s", status, message, self.client)
        self._refused = True
        self._disarm_read_deadline()
        self.transport.write(_refusal(status, reason, message))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER_S, self.transport.close)


_LINGER_S = 1.0
