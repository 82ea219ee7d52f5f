"""GraphiQL served by the gateway itself (no CDN: it works offline), its assets vendored under
static/graphiql (graphiql 3.9 with react 18 and graphql-ws 5, 1.5 MB; licenses beside them).
The page reads the API key from the URL fragment (`#key=…`, which `trusthub dev` prints) or asks
for it, and sends it in the Authorization header and the WebSocket's connectionParams."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import quote

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static" / "graphiql"
# The page is served at /graphql; its asset URLs are relative to that.
ASSETS_PATH = "/graphiql/static"


@cache
def page() -> str:
    return (STATIC / "index.html").read_text(encoding="utf-8")


def assets() -> Mount:
    return Mount(ASSETS_PATH, app=StaticFiles(directory=STATIC), name="graphiql-assets")


def graphiql_url(host: str, port: int, key: str) -> str:
    """The page's address with the key in the fragment, which browsers never send."""
    return f"http://{host}:{port}/graphql#key={quote(key, safe='')}"
