"""A limit on the size of every request body, enforced before the body is read.

Webhook signatures can only be checked over the whole body, so without a limit anyone could
make the server hold any amount in memory before it refuses an unsigned delivery. This ASGI
middleware answers 413 at once when `Content-Length` declares too much, and counts the
chunks of a body sent without one (chunked), refusing as soon as the count passes the limit.
It wraps the whole app, so every route has the same limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    """The body being received has passed the limit."""


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413 Content Too Large."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count what arrives."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except* _TooLarge:  # a group when it passes through a task group on the way out
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = (
            f"The request body is larger than this server accepts ({self.max_bytes} bytes; "
            "web.max_request_bytes).\n"
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn refuses a malformed length before it gets here
    return None
