"""CORS for browsers on other origins (CORS_ALLOW_ORIGINS). Keys travel in the Authorization
header, never in cookies, so credentials stay off; WebSocket upgrades are checked against the
same list by the GraphQL view (strawberry's `allowed_origins`)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from ..idempotency import HEADER, REPLAYED_HEADER

ALLOW_HEADERS = ("Authorization", "Content-Type", HEADER)
EXPOSE_HEADERS = ("Retry-After", REPLAYED_HEADER, "WWW-Authenticate")
PREFLIGHT_MAX_AGE_SECONDS = 600


def cors_middleware(origins: list[str]) -> Middleware:
    """Preflights from an origin not listed get 400 and no Access-Control-Allow-Origin, so
    the browser blocks the request; with no origins listed every preflight does."""
    return Middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=list(ALLOW_HEADERS),
        expose_headers=list(EXPOSE_HEADERS),
        allow_credentials=False,
        max_age=PREFLIGHT_MAX_AGE_SECONDS,
    )


def dev_origins(host: str, port: int) -> list[str]:
    """`trusthub dev`'s own origin, by every name a browser on this machine may use."""
    names = {host, "localhost", "127.0.0.1"} if host in ("127.0.0.1", "localhost") else {host}
    return sorted(f"http://{name}:{port}" for name in names)
