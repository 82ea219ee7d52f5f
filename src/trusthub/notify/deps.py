"""What the notifier's handlers need, built once per process and shared by both handlers."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from ..config import Settings
from ..db import SessionFactory
from ..messaging.topology import Topology
from .targets import Resolver, system_resolver

SMTP_PORT = 25
SMTPS_PORT = 465
SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpTarget:
    """Where email goes, parsed from `SMTP_URL`: `smtp://[user:pass@]host[:port]` (STARTTLS when
    the server offers it; `?starttls=false` turns that off, `?starttls=true` requires it) or
    `smtps://…` for implicit TLS."""

    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None
    timeout: float = SMTP_TIMEOUT_SECONDS

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SMTP_URL must be smtp://host:port or smtps://host:port, not {url!r}")
        implicit_tls = parts.scheme == "smtps"
        flag = parse_qs(parts.query).get("starttls", [""])[-1].lower()
        start_tls = {"true": True, "false": False}.get(flag)
        return cls(
            hostname=parts.hostname,
            port=parts.port or (SMTPS_PORT if implicit_tls else SMTP_PORT),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit_tls,
            start_tls=False if implicit_tls else start_tls,
        )


@dataclass(frozen=True)
class NotifierDeps:
    sessions: SessionFactory
    settings: Settings
    topology: Topology
    http: httpx.AsyncClient
    smtp: SmtpTarget | None  # None: SMTP_URL=log://, emails are logged instead of sent
    resolve: Resolver = system_resolver  # tests give names addresses without touching DNS

    @classmethod
    def build(
        cls,
        sessions: SessionFactory,
        settings: Settings,
        topology: Topology,
        http: httpx.AsyncClient,
        resolve: Resolver = system_resolver,
    ) -> NotifierDeps:
        smtp = None if settings.smtp_url == "log://" else SmtpTarget.from_url(settings.smtp_url)
        return cls(sessions, settings, topology, http, smtp, resolve)


def webhook_client(verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """The HTTP client for status callbacks. No redirects followed (a 3xx is a failed delivery:
    a redirect could send a signed body elsewhere, or to an address nobody checked). No
    keep-alive: each request goes to the address checked for it, and a pooled connection to
    the same address, opened for another host name, would skip the certificate check for this
    one. No proxy from the environment: it would connect to names nobody checked. Per-request
    timeouts come from settings."""
    return httpx.AsyncClient(
        follow_redirects=False,
        headers={"User-Agent": "trusthub-webhooks/1"},
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=0),
        trust_env=False,
        verify=verify,
    )
