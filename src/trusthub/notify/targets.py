"""Where a status callback may connect: the callback's host resolved once, every address checked,
and the request then sent to an address that was checked (never resolved again, so a name that
answers with a public address to the check and a private one to the connection — DNS
rebinding — gets nowhere). The request keeps the URL's Host header, and for https its SNI and
certificate check use the host name, as if the name had been called."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from ipaddress import ip_address

import httpx

from ..domain.callback_urls import (
    Address,
    CallbackRules,
    address_kind,
    host_address,
    is_internal_name,
)

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of `host`, from the event loop's getaddrinfo (the system's resolver)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class TargetNotAllowed(Exception):
    """The callback's URL may not be called: permanent until the customer changes it."""


class TargetUnresolved(Exception):
    """The host name did not resolve (now): worth trying again later."""


@dataclass(frozen=True)
class Route:
    """One way to send the request: to `url`, whose host is a checked address."""

    url: httpx.URL
    host_header: str
    sni_hostname: str | None

    def extensions(self) -> dict[str, str]:
        return {"sni_hostname": self.sni_hostname} if self.sni_hostname else {}


def parse_target(url: str, rules: CallbackRules) -> httpx.URL:
    """The stored URL as the HTTP client reads it; refused if unusable (stored before the
    write-time checks existed, or the rules were tightened since)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise TargetNotAllowed(f"invalid callback URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise TargetNotAllowed("invalid callback URL: not an http(s) URL with a host")
    if rules.require_https and parsed.scheme != "https":
        raise TargetNotAllowed("target not allowed: https is required")
    return parsed


async def routes(url: httpx.URL, rules: CallbackRules, resolve: Resolver) -> list[Route]:
    """The checked addresses to try, in the resolver's order. Raises `TargetNotAllowed` if the
    host is internal or ANY of its addresses is not public (unless private networks are
    allowed), `TargetUnresolved` if it has none."""
    host = url.raw_host.decode("ascii")
    literal = host_address(host)
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        if is_internal_name(host) and not rules.allow_private_networks:
            raise TargetNotAllowed(f"target address not allowed: {host} is an internal name")
        try:
            found = await resolve(host, url.port or (443 if url.scheme == "https" else 80))
            addresses = [ip_address(a.split("%", 1)[0]) for a in found]
        except (OSError, UnicodeError, ValueError) as exc:
            raise TargetUnresolved(f"cannot resolve {host}: {exc}") from None
        if not addresses:
            raise TargetUnresolved(f"cannot resolve {host}: no address")
    if not rules.allow_private_networks:
        kinds = {address_kind(a) for a in addresses} - {None}
        if kinds:
            # The customer sees the host they wrote, not the internal address it resolved to.
            raise TargetNotAllowed(f"target address not allowed: {host} is not a public address")
    name = None if literal is not None else host
    host_header = url.netloc.decode("ascii")
    return [
        Route(url.copy_with(host=str(a)), host_header, name if url.scheme == "https" else None)
        for a in addresses
    ]
