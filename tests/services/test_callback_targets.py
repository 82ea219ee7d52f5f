"""Status callbacks that would make trusthub call its own network are refused at write time, on
profiles and trust products, on SQLite and PostgreSQL; the deployment's settings reach the
check (WEBHOOK_ALLOW_PRIVATE_NETWORKS, WEBHOOK_REQUIRE_HTTPS)."""

from __future__ import annotations

import pytest

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.errors import DomainError, ErrorCode
from trusthub.domain.pagination import PageArgs
from trusthub.domain.products import TrustProductKind
from trusthub.models import CustomerProfile, TrustProduct
from trusthub.services import products, profiles

from ..conftest import Acct
from ..factories import business_profile

# Every spelling the issue listed: metadata, private, loopback (bracketed, hex, shorthand),
# IPv4-mapped IPv6 and the metadata host name.
INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7/cb",
    "http://[::1]/cb",
    "http://0x7f.1/cb",
    "http://127.1/cb",
    "http://[::ffff:169.254.169.254]/cb",
    "http://metadata.google.internal/computeMetadata/v1/",
]
PUBLIC = "https://hooks.acme.example.com/cb"


def strict(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"webhook_allow_private_networks": False, **changes})


async def make(sessions: SessionFactory, owner: Acct, settings: Settings) -> str:
    async with sessions() as s:
        row = await profiles.create_profile(
            s,
            owner.actor,
            business_profile(changes={("statusCallback",): PUBLIC}),
            settings=settings,
        )
        await s.commit()
    return row.sid


async def stored_callback(sessions: SessionFactory, model: type, sid: str) -> str | None:
    async with sessions() as s:
        row = await s.get(model, sid)
    assert row is not None
    value: str | None = row.status_callback
    return value


@pytest.mark.parametrize("url", INTERNAL)
async def test_internal_callbacks_are_refused_and_the_stored_one_stays(
    sessions: SessionFactory, settings: Settings, alice: Acct, url: str
) -> None:
    # given a profile and a trust product with a public callback
    sid = await make(sessions, alice, strict(settings))
    async with sessions() as s:
        product = await products.create_product(
            s,
            alice.actor,
            products.NewProduct(
                TrustProductKind.SHAKEN_STIR,
                sid,
                {
                    ("friendlyName",): "Acme SHAKEN",
                    ("notificationEmail",): "voice@acme.example.com",
                    ("statusCallback",): PUBLIC,
                },
            ),
            settings=strict(settings),
        )
        await s.commit()

    # when alice points each at an internal address
    for update in (
        lambda s: profiles.update_profile(
            s, alice.actor, sid, {("statusCallback",): url}, settings=strict(settings)
        ),
        lambda s: products.update_product(
            s, alice.actor, product.sid, {("statusCallback",): url}, settings=strict(settings)
        ),
    ):
        async with sessions() as s:
            with pytest.raises(DomainError) as refused:
                await update(s)

        # then each is refused on statusCallback
        [error] = refused.value.errors
        assert (error.code, error.field) == (ErrorCode.INVALID_VALUE, ("statusCallback",))
        assert "public internet host" in error.message

    # and nothing changed
    assert await stored_callback(sessions, CustomerProfile, sid) == PUBLIC
    assert await stored_callback(sessions, TrustProduct, product.sid) == PUBLIC


async def test_a_new_profile_with_an_internal_callback_is_not_created(
    sessions: SessionFactory, settings: Settings, alice: Acct
) -> None:
    # given
    data = business_profile(changes={("statusCallback",): "http://127.1:8080/cb"})

    # when
    async with sessions() as s:
        with pytest.raises(DomainError) as refused:
            await profiles.create_profile(s, alice.actor, data, settings=strict(settings))

    # then
    assert [e.field for e in refused.value.errors] == [("statusCallback",)]
    async with sessions() as s:
        page = await profiles.list_profiles(
            s, alice.actor, profiles.ProfileFilter(), PageArgs(size=10)
        )
    assert (page.rows, page.total_count) == ([], 0)


async def test_the_setting_allows_private_networks_for_development(
    sessions: SessionFactory, settings: Settings, alice: Acct
) -> None:
    # given a deployment with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true
    dev = settings.model_copy(update={"webhook_allow_private_networks": True})
    sid = await make(sessions, alice, dev)

    # when a local receiver is set
    async with sessions() as s:
        await profiles.update_profile(
            s, alice.actor, sid, {("statusCallback",): "http://127.0.0.1:9000/cb"}, settings=dev
        )
        await s.commit()

    # then it is stored
    assert await stored_callback(sessions, CustomerProfile, sid) == "http://127.0.0.1:9000/cb"


async def test_production_may_require_https(
    sessions: SessionFactory, settings: Settings, alice: Acct
) -> None:
    # given WEBHOOK_REQUIRE_HTTPS=true
    production = strict(settings, webhook_require_https=True)
    sid = await make(sessions, alice, production)

    # when a plain http callback is set
    async with sessions() as s:
        with pytest.raises(DomainError) as refused:
            await profiles.update_profile(
                s,
                alice.actor,
                sid,
                {("statusCallback",): "http://hooks.acme.example.com/cb"},
                settings=production,
            )

    # then it is refused and the https one stays
    [error] = refused.value.errors
    assert (error.field, error.message) == (
        ("statusCallback",),
        "statusCallback must be an https URL.",
    )
    assert await stored_callback(sessions, CustomerProfile, sid) == PUBLIC
