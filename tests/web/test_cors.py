"""CORS: preflights answered for CORS_ALLOW_ORIGINS and refused for any other origin."""

from __future__ import annotations

from ..conftest import Acct
from .conftest import AppClient

APP = "https://app.example.com"
PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization, content-type, idempotency-key",
}


async def test_a_preflight_from_an_allowed_origin_is_answered(app_client: AppClient) -> None:
    async with app_client(cors_allow_origins=[APP]) as client:
        response = await client.options("/graphql", headers={"origin": APP, **PREFLIGHT})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == APP
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "idempotency-key"):
        assert header in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_a_preflight_from_another_origin_is_refused(app_client: AppClient) -> None:
    async with app_client(cors_allow_origins=[APP]) as client:
        response = await client.options(
            "/graphql", headers={"origin": "https://evil.example", **PREFLIGHT}
        )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_responses_to_an_allowed_origin_expose_retry_after(
    app_client: AppClient, alice: Acct
) -> None:
    async with app_client(cors_allow_origins=[APP]) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ viewer { account { id } } }"},
            headers={**alice.headers, "origin": APP},
        )
        unauthorized = await client.post(
            "/graphql", json={"query": "{ viewer { account { id } } }"}, headers={"origin": APP}
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "Retry-After" in response.headers["access-control-expose-headers"]
    # a 401 carries the header too, so the page can read why
    assert unauthorized.status_code == 401
    assert unauthorized.headers["access-control-allow-origin"] == APP


def test_an_origin_with_a_path_is_refused_naming_the_setting() -> None:
    import pytest
    from pydantic import ValidationError

    from trusthub.config import Settings

    with pytest.raises(ValidationError, match="CORS_ALLOW_ORIGINS"):
        Settings(cors_allow_origins=["https://app.example.com/path"], _env_file=None)  # type: ignore[call-arg]
