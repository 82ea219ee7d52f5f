"""Real receivers for notifications: an HTTP server (uvicorn) standing in for the customer's
backend, and an SMTP server (aiosmtpd) standing in for their mail system."""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.messaging.topology import Topology
from trusthub.notify.deps import NotifierDeps, webhook_client

SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret p@ss"  # a space and an @: the URL must percent-encode them


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# -- the customer's HTTP receiver ------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw_headers: tuple[tuple[bytes, bytes], ...] = ()  # bytes as sent (e.g. UTF-8, not latin-1)


@dataclass(frozen=True)
class Received:
    url: str  # as the receiver sees it: what it validates X-Twilio-Signature against
    headers: dict[str, str]
    body: str
    form: dict[str, str]


class Receiver:
    """Records every request and answers with the queued replies (200 once they run out)."""

    def __init__(self) -> None:
        self.url = ""
        self.requests: list[Received] = []
        self.replies: deque[Reply] = deque()

    def answer(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    async def endpoint(self, request: Request) -> PlainTextResponse:
        body = (await request.body()).decode()
        form = dict(parse_qsl(body, keep_blank_values=True))
        self.requests.append(Received(str(request.url), dict(request.headers), body, form))
        reply = self.replies.popleft() if self.replies else Reply()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        text = "ok" if reply.status < 300 else f"failure {reply.status}"
        response = PlainTextResponse(text, status_code=reply.status, headers=reply.headers)
        response.raw_headers.extend(reply.raw_headers)
        return response

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None
        return port


@asynccontextmanager
async def serving(certfile: str | None = None) -> AsyncIterator[Receiver]:
    """A receiver on 127.0.0.1 (https with `certfile`, a PEM of key and chain)."""
    recorder = Receiver()
    app = Starlette(routes=[Route("/hooks/status", recorder.endpoint, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
        ssl_certfile=certfile,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "the HTTP receiver did not start"
    # A query string, as real callback URLs often carry one: it is part of what is signed.
    scheme = "https" if certfile else "http"
    recorder.url = f"{scheme}://127.0.0.1:{port}/hooks/status?tenant=acme&v=1"
    try:
        yield recorder
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving() as recorder:
        yield recorder


# -- the customer's mail server --------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps every accepted message; it requires a login."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.senders: list[str] = []
        self.unknown: set[str] = set()  # recipients refused for good (550)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        self.senders.append(str(envelope.mail_from))
        return "250 Message accepted for delivery"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    # handled=False: let aiosmtpd answer "535 credentials invalid" itself
    return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class MailServer:
    mailbox: Mailbox
    port: int

    def url(self, user: str = SMTP_USER, password: str = SMTP_PASSWORD) -> str:
        return f"smtp://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_required=True,
        auth_require_tls=False,  # a loopback test server; production URLs use smtps:// or TLS
    )
    controller.start()
    yield MailServer(mailbox, port)
    controller.stop()


# -- the notifier's dependencies -------------------------------------------------------------

MakeDeps = Callable[..., Awaitable[NotifierDeps]]


@pytest.fixture
async def make_deps(sessions: SessionFactory, settings: Settings) -> AsyncIterator[MakeDeps]:
    """Deps with short timeouts that may call the loopback receivers (private networks
    allowed); keyword arguments override settings (e.g. smtp_url, which points nowhere by
    default)."""
    http = webhook_client()

    async def make(**overrides: Any) -> NotifierDeps:
        values: dict[str, Any] = {
            "smtp_url": f"smtp://127.0.0.1:{free_port()}",
            "smtp_from": "Trust Hub <notifications@trusthub.example>",
            # Generous: under load a local receiver can take longer than half a second to
            # answer; the timeout test sets its own.
            "webhook_timeout_seconds": 5.0,
            "webhook_max_attempts": 5,
            "webhook_allow_private_networks": True,
            **overrides,
        }
        tuned = settings.model_copy(update=values)
        return NotifierDeps.build(sessions, tuned, Topology(namespace="test"), http)

    yield make
    await http.aclose()
