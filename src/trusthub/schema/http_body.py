"""GraphQL request bodies (HTTP and WebSocket messages): JSON in, and a 400 with a JSON error
for anything that is not JSON the gateway can carry.

orjson decodes first (much faster than the standard library on a request body); what it
refuses goes to the standard library, which also accepts integers beyond 64 bits and NaN, so
that GraphQL can refuse those naming the variable. Whatever the standard library cannot decode
is refused here instead of escaping as a 500: bytes that are not UTF-8 (RFC 8259 requires it;
a leading byte order mark is ignored), nesting deeper than the interpreter's recursion limit
(orjson stops at 1024 levels), integers of more than 4300 digits, and lone surrogate escapes
(`"\\ud800"`): those decode to strings that no database, encoder or email can hold, and
could reach any argument (an ID, a cursor, an operation name), so they are refused for the
whole body, naming where they are."""

from __future__ import annotations

import json

import orjson
from starlette.responses import Response


class UnreadableBody(json.JSONDecodeError):
    """A body refused for what it holds rather than for its syntax; `msg` says what."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg, "", 0)


class BodyRefused(Exception):
    """Raised from the view's body parsing; the app answers it with `response()`."""

    def __init__(self, cause: json.JSONDecodeError) -> None:
        detail = cause.msg
        if not isinstance(cause, UnreadableBody):
            detail += f" (line {cause.lineno}, column {cause.colno})"
        self.message = f"Unable to parse request body as JSON: {detail}."
        super().__init__(self.message)

    def response(self) -> Response:
        # ensure_ascii: the message can never fail to encode.
        body = json.dumps({"errors": [{"message": self.message}]})
        return Response(body, status_code=400, media_type="application/json")


def decode_body(data: str | bytes) -> object:
    """The decoded JSON value, or `json.JSONDecodeError` (strawberry's signal for a bad body)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # the standard library decides, and says why
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise UnreadableBody(f"the body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise UnreadableBody("the body is nested too deeply") from None
    except ValueError as exc:  # an integer beyond int_max_str_digits
        raise UnreadableBody(str(exc).partition(":")[0]) from None
    where = surrogate_at(value)
    if where is not None:
        raise UnreadableBody(
            f"{where} holds a lone surrogate escape such as \\ud800, which is not text"
        )
    return value


def surrogate_at(value: object) -> str | None:
    """Where (`variables.input.friendlyName`) the first string or key holding a lone surrogate
    is, in document order, or None. Iterative (any depth), linear in the value's size."""
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if not _is_unicode(item):
                return path or "the body"
        elif isinstance(item, dict):
            children: list[tuple[object, str]] = []
            for key, child in item.items():
                segment = f"{path}.{_key(key)}" if path else _key(key)
                if not _is_unicode(key):
                    return segment
                children.append((child, segment))
            stack.extend(reversed(children))  # popped in document order
        elif isinstance(item, list):
            stack.extend((item[i], f"{path}[{i}]") for i in reversed(range(len(item))))
    return None


def _is_unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _key(key: str) -> str:
    return key if key.isidentifier() and key.isascii() else json.dumps(key)
