"""The baselines of the GraphQL read and list benchmarks (bench/README.md): `customerProfile(id)`
and `customerProfiles(first:)` written by hand as plain Starlette endpoints, mounted beside the
product's routes by `create_app` here, so the product itself carries no benchmark code. They
authenticate like /graphql, run the same SQL statements the GraphQL requests run, read rows the
same way (Core selects into read-only rows, `trusthub.models.rows`) and return the same JSON.

    python bench/baseline_app.py --host 127.0.0.1 --port 8000   (settings from the environment)
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trusthub.app import Authenticator, bearer_key
from trusthub.app import create_app as create_gateway
from trusthub.config import Settings, get_settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import ProfileKind, Role
from trusthub.domain.pagination import page_args
from trusthub.models import Account, AuthorizedRepresentative, CustomerProfile
from trusthub.models.rows import reader
from trusthub.services import profiles
from trusthub.services.actor import Actor

PATH = "/bench/customer-profiles/{id}"
LIST_PATH = "/bench/customer-profiles"

# The profile's fields that the endpoint returns and the benchmarks ask for (bench/http_read.py
# for one profile, bench/http_list.py for a page of them).
PROFILE_FIELDS = """
    id kind tier status friendlyName notificationEmail statusCallback
    business {
      legalName identity type industry registrationIdType registrationNumber
      regionsOfOperation websiteUrl socialMediaProfileUrls
    }
    address { street1 street2 city region postalCode country }
    authorizedRepresentatives {
      id position firstName lastName email phoneNumber businessTitle jobPosition
    }
    createdAt updatedAt
"""

# The GraphQL document the endpoint mirrors, field for field.
CUSTOMER_PROFILE_QUERY = (
    "query CustomerProfile($id: ID!) {\n  customerProfile(id: $id) {" + PROFILE_FIELDS + "  }\n}\n"
)

# The list's document (bench/http_list.py), mirrored by the list endpoint.
LIST_QUERY = (
    "query List($first: Int) {\n  customerProfiles(first: $first) {\n    totalCount\n"
    "    pageInfo { hasNextPage endCursor }\n    edges {\n      cursor\n      node {"
    + PROFILE_FIELDS
    + "      }\n    }\n  }\n}\n"
)

Authenticate = Callable[[Request], Awaitable[Account | None]]

# The statements the dataloaders run, built once as they are (src/trusthub/schema/loaders.py).
_PROFILE_ROWS = reader(CustomerProfile)
_REP_ROWS = reader(AuthorizedRepresentative)
PROFILES = _PROFILE_ROWS.select().where(
    _PROFILE_ROWS.column("sid").in_(sa.bindparam("keys", expanding=True))
)
REPRESENTATIVES = (
    _REP_ROWS.select()
    .where(_REP_ROWS.column("profile_sid").in_(sa.bindparam("keys", expanding=True)))
    .order_by(_REP_ROWS.column("position"))
)
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
UNAUTHORIZED = {"errors": [{"message": "Unauthorized: send Authorization: Bearer <API key>."}]}


class ORJSONResponse(JSONResponse):
    """JSON encoded with orjson, as the gateway encodes GraphQL responses (`trusthub.app`)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _profile_json(p: CustomerProfile, reps: list[AuthorizedRepresentative]) -> dict[str, Any]:
    business = None
    if p.kind == ProfileKind.BUSINESS.value:
        business = {
            "legalName": p.legal_name,
            "identity": p.business_identity,
            "type": p.business_type,
            "industry": p.business_industry,
            "registrationIdType": p.registration_id_type,
            "registrationNumber": p.registration_number,
            "regionsOfOperation": list(p.regions_of_operation or []),
            "websiteUrl": p.website_url,
            "socialMediaProfileUrls": list(p.social_media_profile_urls or []),
        }
    address_values = (p.street1, p.street2, p.city, p.region, p.postal_code, p.country)
    address = None
    if any(v is not None for v in address_values):
        keys = ("street1", "street2", "city", "region", "postalCode", "country")
        address = dict(zip(keys, address_values, strict=True))
    return {
        "id": p.sid,
        "kind": p.kind,
        "tier": p.tier,
        "status": p.status,
        "friendlyName": p.friendly_name,
        "notificationEmail": p.notification_email,
        "statusCallback": p.status_callback,
        "business": business,
        "address": address,
        "authorizedRepresentatives": [
            {
                "id": r.sid,
                "position": r.position,
                "firstName": r.first_name,
                "lastName": r.last_name,
                "email": r.email,
                "phoneNumber": r.phone_number,
                "businessTitle": r.business_title,
                "jobPosition": r.job_position,
            }
            for r in reps
        ],
        "createdAt": p.created_at.isoformat(),
        "updatedAt": p.updated_at.isoformat(),
    }


def _unauthorized() -> Response:
    return JSONResponse(
        UNAUTHORIZED, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="trusthub"'}
    )


def routes(sessions: SessionFactory, authenticate: Authenticate, settings: Settings) -> list[Route]:
    async def customer_profile(request: Request) -> Response:
        account = await authenticate(request)
        if account is None:
            return _unauthorized()
        sid = request.path_params["id"]
        async with sessions() as session:
            # Like the dataloaders: no transaction around single SELECTs.
            connection = await session.connection(execution_options=AUTOCOMMIT)
            found = _PROFILE_ROWS.rows(await connection.execute(PROFILES, {"keys": [sid]}))
            profile = found[0] if found else None
            visible = profile is not None and (
                account.role == Role.ADMIN.value or profile.account_sid == account.sid
            )
            if profile is None or not visible:
                return ORJSONResponse({"data": {"customerProfile": None}})
            reps = _REP_ROWS.rows(await connection.execute(REPRESENTATIVES, {"keys": [sid]}))
        return ORJSONResponse({"data": {"customerProfile": _profile_json(profile, reps)}})

    async def customer_profiles(request: Request) -> Response:
        """`customerProfiles(first:)` of the caller's account, forward pages only: the count
        and the page through the product's service (the same two keyset statements), then the
        page's representatives in one statement, as the dataloader batches them."""
        account = await authenticate(request)
        if account is None:
            return _unauthorized()
        first = int(request.query_params.get("first", settings.default_page_size))
        args = page_args(
            first,
            request.query_params.get("after"),
            None,
            None,
            default=settings.default_page_size,
            maximum=settings.max_page_size,
        )
        actor = Actor(account.sid, Role(account.role))
        async with sessions() as session:
            page = await profiles.list_profiles(session, actor, profiles.ProfileFilter(), args)
            sids = [p.sid for p in page.rows]
            connection = await session.connection()
            rep_rows = _REP_ROWS.rows(await connection.execute(REPRESENTATIVES, {"keys": sids}))
        reps: dict[str, list[AuthorizedRepresentative]] = defaultdict(list)
        for r in rep_rows:
            reps[r.profile_sid].append(r)
        edges = [
            {"cursor": c, "node": _profile_json(p, reps.get(p.sid, []))}
            for p, c in zip(page.rows, page.cursors, strict=True)
        ]
        connection_json = {
            "totalCount": page.total_count,
            "pageInfo": {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor},
            "edges": edges,
        }
        return ORJSONResponse({"data": {"customerProfiles": connection_json}})

    return [
        Route(PATH, customer_profile, methods=["GET"]),
        Route(LIST_PATH, customer_profiles, methods=["GET"]),
    ]


def create_app(settings: Settings | None = None, roles: frozenset[Any] | None = None) -> Starlette:
    """The gateway of `trusthub serve` plus the baseline route, authenticating with its own
    cache of the same kind (AUTH_CACHE_SECONDS), so both paths pay the same for a key."""
    settings = settings or get_settings()
    app = create_gateway(settings, roles)
    sessions: SessionFactory = app.state.sessions
    authenticator = Authenticator(sessions, settings.auth_cache_seconds)

    async def account_of(request: Request) -> Account | None:
        return await authenticator(bearer_key(request.headers.get("authorization")))

    app.router.routes.extend(routes(sessions, account_of, settings))
    return app


def main() -> None:
    import uvicorn

    from trusthub.cli import uvicorn_options
    from trusthub.logs import logging_config

    parser = argparse.ArgumentParser(description="the gateway with the read baseline mounted")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="processes, as `serve --workers`")
    args = parser.parse_args()
    settings = get_settings()
    uvicorn.run(
        # By name with several workers: each process builds its own app, as `serve` does.
        "baseline_app:create_app" if args.workers > 1 else create_app(settings),
        factory=args.workers > 1,
        workers=args.workers,
        app_dir=str(Path(__file__).resolve().parent),
        host=args.host,
        port=args.port,
        log_config=logging_config(settings),
        **uvicorn_options(settings),
    )


if __name__ == "__main__":
    main()
