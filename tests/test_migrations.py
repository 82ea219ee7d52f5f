"""The migrations build the schema the models describe, on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from trusthub.db import create_engine
from trusthub.migrate import alembic_config, downgrade, upgrade
from trusthub.models import Policy

from .conftest import _blocking
from .empty_databases import empty_database

MODEL_TABLES = set(SQLModel.metadata.tables)  # every model (importing one imports them all)
POLICY = SQLModel.metadata.tables[Policy.__tablename__]
SEEDED_POLICIES = {
    # code: (kind, tier)
    "primary_business": ("BUSINESS", "PRIMARY"),
    "secondary_business": ("BUSINESS", "SECONDARY"),
    "individual": ("INDIVIDUAL", "PRIMARY"),
}
SEEDED_PRODUCT_POLICIES = {
    "shaken_stir": "SHAKEN_STIR",
    "a2p_messaging": "A2P_MESSAGING",
    "cnam": "CNAM",
    "voice_integrity": "VOICE_INTEGRITY",
    "branded_calling": "BRANDED_CALLING",
}
SID = re.compile(r"^RN[0-9a-f]{32}$")


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"the migrations must have one head, not {heads}"
    return heads[0]


async def inspect(url: str) -> dict[str, Any]:
    """What a DBA would look at: tables, the recorded revision, the seeded policies, and any
    difference between the database and the models."""

    def read(conn: sa.Connection) -> dict[str, Any]:
        tables = set(sa.inspect(conn).get_table_names())
        found: dict[str, Any] = {"tables": tables, "revision": None, "policies": None}
        if "alembic_version" in tables:
            found["revision"] = conn.execute(
                sa.text("SELECT version_num FROM alembic_version")
            ).scalar()
        if "policy" in tables:
            found["policies"] = conn.execute(sa.select(POLICY)).all()
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found["diff"] = compare_metadata(context, SQLModel.metadata)
        return found

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(read)
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(backend, tmp_path) as url:
        yield url


async def test_upgrade_downgrade_and_upgrade_again(empty_database_url: str) -> None:
    # given an empty database
    # when it is migrated to head
    _blocking(upgrade, empty_database_url)
    first = await inspect(empty_database_url)

    # then it has every table of the models, at the head revision
    assert first["tables"] == MODEL_TABLES | {"alembic_version"}
    assert first["revision"] == head_revision()

    # when it is downgraded to base
    _blocking(downgrade, empty_database_url, "base")
    emptied = await inspect(empty_database_url)

    # then every table is gone and no revision is recorded
    assert emptied["tables"] <= {"alembic_version"}
    assert emptied["revision"] is None

    # when it is migrated to head again
    _blocking(upgrade, empty_database_url)
    again = await inspect(empty_database_url)

    # then it is back as it was, with the policies seeded once
    assert again["tables"] == first["tables"]
    assert again["revision"] == head_revision()
    assert again["diff"] == []
    assert sorted(p.code for p in again["policies"]) == sorted(
        [*SEEDED_POLICIES, *SEEDED_PRODUCT_POLICIES]
    )


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    # given a database built by the migrations
    # when it is compared with the models, as `alembic revision --autogenerate` would
    found = await inspect(database_url)

    # then there is nothing to generate: no table, column, type, index or key differs
    assert found["diff"] == []


async def test_the_three_customer_profile_policies_are_seeded(database_url: str) -> None:
    # given a database built by the migrations
    # when its policies are read
    policies = (await inspect(database_url))["policies"]

    # then primary business, secondary business and individual are there, as data
    by_code = {p.code: p for p in policies if p.subject_type == "CUSTOMER_PROFILE"}
    assert {code: (p.kind, p.tier) for code, p in by_code.items()} == SEEDED_POLICIES
    for policy in by_code.values():
        assert SID.match(policy.sid), policy.sid
        assert policy.requirements, f"{policy.code} has no requirements"
    # and each business policy asks for representative #1
    for code in ("primary_business", "secondary_business"):
        [rep1] = [
            r
            for r in by_code[code].requirements
            if r["type"] == "representative" and r["position"] == 1
        ]
        assert rep1["required"] is True


async def test_one_policy_per_trust_product_kind_is_seeded(database_url: str) -> None:
    # given a database built by the migrations
    policies = (await inspect(database_url))["policies"]
    # then each trust product kind has its policy, which asks for an approved customer profile
    by_code = {p.code: p for p in policies if p.subject_type == "TRUST_PRODUCT"}
    assert {code: p.kind for code, p in by_code.items()} == SEEDED_PRODUCT_POLICIES
    for policy in by_code.values():
        assert SID.match(policy.sid), policy.sid
        [profile] = [r for r in policy.requirements if r["type"] == "customer_profile"]
        assert profile["status"] == "APPROVED"
