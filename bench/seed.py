"""Seed the benchmark database: a fresh, migrated PostgreSQL database holding one customer
account with N complete primary business profiles (address, business information and
representatives #1 and #2), created through the services as the API would create them.

    .venv/bin/python bench/seed.py [--profiles 1000]

Writes bench/.data/seed.json: {"database_url", "api_key", "account_sid", "profile_ids"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import asyncpg
from harness import BENCH_DB, DATA, PG_ADMIN_URL, pg_url

from trusthub.config import Settings
from trusthub.db import create_engine, create_session_factory
from trusthub.domain.enums import ProfileKind, ProfileTier, Role
from trusthub.migrate import upgrade
from trusthub.services import accounts, profiles, representatives
from trusthub.services.actor import Actor

BUSINESS = {
    "legalName": "Acme Communications Inc",
    "identity": "DIRECT_CUSTOMER",
    "type": "CORPORATION",
    "industry": "TELECOMMUNICATIONS",
    "registrationIdType": "EIN",
    "registrationNumber": "12-3456789",
    "regionsOfOperation": ["USA_AND_CANADA", "EUROPE"],
    "websiteUrl": "https://acme.example.com",
    "socialMediaProfileUrls": ["https://linkedin.com/company/acme"],
}
ADDRESS = {
    "street1": "1 Market St",
    "street2": "Suite 100",
    "city": "San Francisco",
    "region": "US-CA",
    "postalCode": "94105",
    "country": "US",
}
REPRESENTATIVES = [
    {
        "firstName": "Grace",
        "lastName": "Hopper",
        "email": "grace@acme.example.com",
        "phoneNumber": "+14155550101",
        "businessTitle": "Chief Executive",
        "jobPosition": "CEO",
    },
    {
        "firstName": "Katherine",
        "lastName": "Johnson",
        "email": "katherine@acme.example.com",
        "phoneNumber": "+14155550102",
        "businessTitle": "Chief Financial Officer",
        "jobPosition": "CFO",
    },
]


async def _recreate_database() -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    finally:
        await conn.close()


async def _seed(n: int, batch: int = 50) -> dict[str, object]:
    url = pg_url()
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    engine = create_engine(url, settings)
    sessions = create_session_factory(engine)
    async with sessions() as session:
        issued = await accounts.create_account(session, "bench", Role.CUSTOMER)
        await session.commit()
    actor = accounts_actor(issued.account.sid)
    ids: list[str] = []
    for start in range(0, n, batch):
        async with sessions() as session:
            for k in range(start, min(n, start + batch)):
                data = profiles.NewProfile(
                    kind=ProfileKind.BUSINESS,
                    tier=ProfileTier.PRIMARY,
                    primary_profile_sid=None,
                    changes={
                        ("friendlyName",): f"Acme {k:05d}",
                        ("notificationEmail",): "ops@acme.example.com",
                        **{("business", f): v for f, v in BUSINESS.items()},
                        **{("address", f): v for f, v in ADDRESS.items()},
                    },
                )
                profile = await profiles.create_profile(session, actor, data)
                for position, rep in enumerate(REPRESENTATIVES, start=1):
                    await representatives.add_representative(
                        session, actor, profile.sid, position, {(f,): v for f, v in rep.items()}
                    )
                ids.append(profile.sid)
            await session.commit()
    await engine.dispose()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return {
        "database_url": url,
        "api_key": issued.api_key,
        "account_sid": issued.account.sid,
        "profile_ids": ids,
    }


def accounts_actor(account_sid: str) -> Actor:
    return Actor(account_sid, Role.CUSTOMER)


def seed(n: int) -> dict[str, object]:
    asyncio.run(_recreate_database())
    upgrade(pg_url())
    result = asyncio.run(_seed(n))
    (DATA / "seed.json").write_text(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1000, help="profiles to create")
    args = parser.parse_args()
    started = time.perf_counter()
    result = seed(args.profiles)
    print(
        json.dumps(
            {
                "database_url": result["database_url"],
                "profiles": args.profiles,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
