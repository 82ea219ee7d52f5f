"""`Idempotency-Key` on GraphQL mutations over HTTP (README "Retries and idempotency").

An ASGI middleware inside `AuthGate` (it needs the account): a POST carrying the header whose
operation is a mutation claims the key, executes once, and its response is stored so that a
retry whose first answer was lost gets that answer again instead of a second object. The rules
of claiming, replaying and pruning live in `services/idempotency.py`; this module is the HTTP
side: the header, the body, the response and the status codes.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from sqlalchemy.exc import IntegrityError
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Settings
from .db import SessionFactory
from .models import Account, IdempotencyKey
from .models.base import utcnow
from .services.idempotency import (
    Refusal,
    StoredResponse,
    complete,
    existing,
    fingerprint,
    insert_claim,
    release,
)
from .transient import is_transient, unavailable_response

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# A claim lost to a lapsed row that someone else re-claims first is retried this often.
CLAIM_ATTEMPTS = 3

_HEADER_NAME = HEADER.lower().encode("ascii")


def parse_key(values: list[bytes]) -> str | None:
    """The key of the request's one `Idempotency-Key` header; None when it is invalid (several
    headers, empty, longer than 255 characters, or anything but printable ASCII)."""
    if len(values) != 1:
        return None
    raw = values[0]
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or any(b < 0x20 or b > 0x7E for b in raw):
        return None
    key = raw.decode("ascii")
    return key if key.strip() else None


def _decode(data: bytes) -> Any:
    # As GraphQLApp.decode_json: orjson first, the standard library for what it refuses.
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def mutation_fingerprint(body: bytes, max_tokens: int) -> str | None:
    """The fingerprint of a JSON request whose operation is a mutation. None for anything
    else: queries run unkeyed, and a body GraphQL refuses executes nothing either way."""
    try:
        request = _decode(body)
    except ValueError:
        return None
    if not isinstance(request, dict):
        return None
    query, name = request.get("query"), request.get("operationName")
    variables = request.get("variables") or {}
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict):
        return None
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, name)
    if operation is None or operation.operation != OperationType.MUTATION:
        return None
    return fingerprint(query, name, variables)


def took_effect(status: int, body: bytes) -> bool:
    """Whether a response is stored. Only answers where nothing happened are not: a non-2xx
    status, or top-level errors with no mutation field answered (a malformed or invalid request,
    or an internal failure, whose transaction was rolled back). A payload with userErrors is a
    2xx answer like any other and is stored."""
    if not 200 <= status < 300:
        return False
    try:
        result = _decode(body)
    except ValueError:
        return True  # a 2xx we cannot read: never risk executing it twice
    if not isinstance(result, dict) or not result.get("errors"):
        return True
    data = result.get("data")
    return isinstance(data, dict) and any(value is not None for value in data.values())


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    error = {"message": message, "extensions": {"code": code, "header": HEADER}}
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)


def invalid_key() -> Response:
    return _error(
        400,
        "IDEMPOTENCY_KEY_INVALID",
        f"The {HEADER} header must be one value of 1 to {MAX_KEY_LENGTH} printable ASCII "
        "characters.",
    )


def key_in_progress() -> Response:
    return _error(
        409,
        "IDEMPOTENCY_KEY_IN_PROGRESS",
        f"A request with this {HEADER} is in progress; retry once it has finished.",
        headers={"Retry-After": "1"},
    )


def key_reused() -> Response:
    return _error(
        422,
        "IDEMPOTENCY_KEY_REUSED",
        f"This {HEADER} was used with a different request (query, operationName or "
        "variables); send a new key for a new request.",
    )


def replayed(stored: StoredResponse) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if stored.content_type is not None:
        headers["content-type"] = stored.content_type
    return Response(stored.body, status_code=stored.status, headers=headers)


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body; None when the client went away before sending it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then the client's own events."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive_again() -> Message:
        return pending.pop() if pending else await receive()

    return receive_again


class IdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, sessions: SessionFactory, settings: Settings, account_scope_key: str
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.account_scope_key = account_scope_key
        self.ttl = timedelta(hours=settings.idempotency_key_ttl_hours)
        self.lock_timeout = timedelta(seconds=settings.idempotency_lock_timeout_seconds)
        self.max_tokens = settings.max_tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        account: Account | None = scope.get(self.account_scope_key)
        if scope["type"] != "http" or scope["method"] != "POST" or account is None:
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == _HEADER_NAME]
        if not values:
            await self.app(scope, receive, send)
            return
        key = parse_key(values)
        if key is None:
            await invalid_key()(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return
        receive = replaying(body, receive)
        request_print = mutation_fingerprint(body, self.max_tokens)
        if request_print is None:
            await self.app(scope, receive, send)
            return
        try:
            outcome = await self.claim(account.sid, key, request_print)
        except Exception as error:  # the database is away: the client retries with the key
            if not is_transient(error):
                raise
            await unavailable_response()(scope, receive, send)
            return
        if isinstance(outcome, IdempotencyKey):
            await self.execute(scope, receive, send, outcome.id)
        elif isinstance(outcome, StoredResponse):
            await replayed(outcome)(scope, receive, send)
        elif outcome is Refusal.MISMATCH:
            await key_reused()(scope, receive, send)
        else:
            await key_in_progress()(scope, receive, send)

    async def claim(
        self, account_sid: str, key: str, request_print: str
    ) -> IdempotencyKey | StoredResponse | Refusal:
        """This request's claim on `key`, or what to answer instead (each step its
        own transaction: a claim must be visible to concurrent requests before executing)."""
        for _ in range(CLAIM_ATTEMPTS):
            now = utcnow()
            async with self.sessions() as session:
                try:
                    row = await insert_claim(
                        session, account_sid, key, request_print, now, self.ttl
                    )
                    await session.commit()
                except IntegrityError:
                    await session.rollback()
                else:
                    return row
                found = await existing(
                    session, account_sid, key, request_print, now, self.lock_timeout
                )
                await session.commit()
            if found is not None:
                return found
        return Refusal.IN_PROGRESS

    async def execute(self, scope: Scope, receive: Receive, send: Send, key_id: str) -> None:
        """Run the request holding claim `key_id`; store its response (or release the key when
        it took no effect) before the client sees it, so a retry never misses it."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, buffer)
        except Exception:
            await self.finish(key_id, None)
            raise
        if start is None:
            await self.finish(key_id, None)
            return
        body = b"".join(chunks)
        status: int = start["status"]
        content_type = next(
            (v.decode("latin-1") for k, v in start.get("headers", []) if k == b"content-type"),
            None,
        )
        stored = StoredResponse(status, content_type, body)
        await self.finish(key_id, stored if took_effect(status, body) else None)
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def finish(self, key_id: str, response: StoredResponse | None) -> None:
        """Store `response` on the claim, or release the claim when None. If the database fails
        here the claim stays in progress until IDEMPOTENCY_LOCK_TIMEOUT_SECONDS; the client
        still gets its answer."""
        try:
            async with self.sessions() as session:
                if response is None:
                    await release(session, key_id)
                elif not await complete(session, key_id, response):
                    logger.warning("idempotency key %s was taken over before it completed", key_id)
                await session.commit()
        except Exception:
            logger.exception("idempotency key %s: could not record the outcome", key_id)
