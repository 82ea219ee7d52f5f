"""What errors disclose (`schema/disclosure.py`, `db.py`): a failing statement's parameters
stay out of the log; a client's mistakes are not logged as the server's errors; with
introspection off, no "Did you mean …" names the schema's fields, types or enum values."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from trusthub.app import create_app
from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.models import CustomerProfile

from ..conftest import Acct, GraphQLClient
from ..e2e.test_hostile_requests import doubling_fragments
from .api import CREATE, LIST_IDS, business_input, create

SECRET_EMAIL = "very-private-person@example.com"
SECRET_NUMBER = "98-7654321"

TYPO_FIELD = "query { viewr { account { id } } }"
TYPO_ARGUMENT = "query { customerProfiles(frist: 1) { totalCount } }"
INDUSTRY = "query Industry($id: ID!) { customerProfile(id: $id) { id business { industry } } }"


@asynccontextmanager
async def table_away(engine: AsyncEngine, table: str) -> AsyncIterator[None]:
    """The table renamed for the block, so that statements on it fail in the database."""
    async with engine.begin() as conn:
        await conn.execute(sa.text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        async with engine.begin() as conn:
            await conn.execute(sa.text(f"ALTER TABLE {table}_away RENAME TO {table}"))


async def test_a_failing_statement_is_logged_without_its_parameters(
    gql: GraphQLClient, alice: Acct, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # given a database whose profile table has gone
    business = {**business_input()["business"], "registrationNumber": SECRET_NUMBER}
    profile = business_input(notificationEmail=SECRET_EMAIL, business=business)
    async with table_away(engine, "customer_profile"):
        # when alice creates a profile, so the INSERT fails
        body = await gql.raw(CREATE, {"input": profile}, headers=alice.headers)
    # then she learns only that something went wrong
    assert [e["message"] for e in body["errors"]] == ["Unexpected error."]
    # and the log has the error, its statement and traceback, but none of her values
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, caplog.text
    assert errors[0].exc_info is not None
    assert "INSERT INTO customer_profile" in caplog.text
    assert SECRET_EMAIL not in caplog.text
    assert SECRET_NUMBER not in caplog.text
    assert "parameters hidden" in caplog.text


async def test_client_mistakes_are_logged_at_debug_without_a_traceback(
    gql: GraphQLClient, alice: Acct, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mistakes: list[tuple[str, dict[str, Any]]] = [
        ("query { viewer {", {}),  # syntax
        (TYPO_FIELD, {}),  # validation
        ("query { __schema { types { name } } }", {}),  # introspection refused
        (doubling_fragments(20), {}),  # past a limit
        (LIST_IDS, {"first": "ten"}),  # a variable of the wrong type
        (LIST_IDS, {"first": 1000}),  # a ClientError from a resolver
    ]
    answered: list[str] = []
    for query, variables in mistakes:
        # when alice sends a malformed request
        body = await gql.raw(query, variables, headers=alice.headers)
        assert body["errors"], query
        answered += [error["message"] for error in body["errors"]]
    # then nothing is logged as a warning or an error, and nothing with a traceback
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    # and each mistake is there at DEBUG, in one line
    refused = [
        r.getMessage()
        for r in caplog.records
        if r.name == "trusthub.graphql" and r.levelno == logging.DEBUG
    ]
    assert refused == [f"request refused: {message}" for message in answered]
    assert all("\n" not in message for message in refused)


async def test_an_internal_error_is_still_logged_at_error_with_its_traceback(
    gql: GraphQLClient, alice: Acct, sessions: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    # given a profile whose stored industry this version does not know
    profile = await create(gql, alice, business_input())
    async with sessions() as s:
        await s.exec(
            sa.update(CustomerProfile)
            .where(col(CustomerProfile.sid) == profile["id"])
            .values(business_industry="SPACE_MINING")
        )
        await s.commit()
    caplog.set_level(logging.INFO)
    # when it is read, which fails inside the server
    body = await gql.raw(INDUSTRY, {"id": profile["id"]}, headers=alice.headers)
    # then the client gets a masked error and the log the real one, with its traceback
    assert [e["message"] for e in body["errors"]] == ["Unexpected error."]
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "SPACE_MINING" in logged.getMessage()
    assert logged.exc_info is not None


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trusthub.test") as c:
        yield c
    await app.state.engine.dispose()


async def _messages(settings: Settings, alice: Acct) -> list[str]:
    requests: list[tuple[str, dict[str, Any]]] = [
        (TYPO_FIELD, {}),
        (TYPO_ARGUMENT, {}),
        (LIST_IDS, {"filter": {"status": "APROVED"}}),
        (LIST_IDS, {"filter": {"stauts": "APPROVED"}}),
    ]
    messages: list[str] = []
    async with _client(settings) as c:
        for query, variables in requests:
            response = await c.post(
                "/graphql", json={"query": query, "variables": variables}, headers=alice.headers
            )
            [error] = response.json()["errors"]
            messages.append(error["message"])
    return messages


async def test_no_suggestions_while_introspection_is_off(alice: Acct, settings: Settings) -> None:
    # when alice misspells a field, an argument, an enum value and an input field
    quiet = await _messages(settings, alice)
    # then each is refused, naming what she sent but suggesting nothing
    assert quiet == [
        "Cannot query field 'viewr' on type 'Query'.",
        "Unknown argument 'frist' on field 'Query.customerProfiles'.",
        "Variable '$filter' has invalid value at .status:"
        " Value 'APROVED' does not exist in 'Status' enum.",
        "Variable '$filter' has invalid value: Expected value of type 'CustomerProfileFilter'"
        " not to include unknown field 'stauts', found: {'stauts': 'APPROVED'}.",
    ]
    # when introspection is on, then the same mistakes get their suggestions
    helpful = await _messages(settings.model_copy(update={"introspection": True}), alice)
    assert all("Did you mean" in message for message in helpful), helpful
