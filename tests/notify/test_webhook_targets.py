"""Where the notifier may connect (SSRF), on SQLite and PostgreSQL, against real receivers:
the callback's host is resolved once, every address checked, and the request sent to an
address that was checked, keeping the URL's Host header (and, over TLS, its SNI and
certificate check). Names get their addresses from a fake resolver (`FakeDns`): the
connection itself is real."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import trustme

from trusthub.db import SessionFactory
from trusthub.notify.deps import NotifierDeps, webhook_client
from trusthub.notify.webhooks import handle_webhook
from trusthub.services.deliveries import given_up

from ..conftest import Acct
from .conftest import MakeDeps, Receiver, Reply, serving
from .helpers import (
    FakeDns,
    assert_signed,
    attempts,
    make_profile,
    retries,
    secrets_of,
    status_changed,
    store_directly,
)

NAME = "hooks.acme-callbacks.example"  # not in any DNS: only FakeDns knows it


def named(receiver: Receiver, host: str = NAME, scheme: str = "http") -> str:
    """The receiver's URL with a host name in place of its address."""
    return f"{scheme}://{host}:{receiver.port}/hooks/status?tenant=acme&v=1"


async def strict_deps(make_deps: MakeDeps, dns: FakeDns) -> NotifierDeps:
    """As in production: WEBHOOK_ALLOW_PRIVATE_NETWORKS=false."""
    return replace(await make_deps(webhook_allow_private_networks=False), resolve=dns)


async def test_a_name_that_resolves_to_loopback_is_refused_not_called_and_not_retried(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a public-looking name that resolves to the notifier's own loopback
    dns = FakeDns({NAME: ["127.0.0.1"]})
    deps = await strict_deps(make_deps, dns)
    sid = await make_profile(sessions, alice, callback=named(receiver))
    event = status_changed(alice, sid)

    # when its callback is attempted
    await handle_webhook(event, deps)

    # then nothing was called, and the refusal is a logged, given-up attempt
    assert receiver.requests == []
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert not logged.succeeded
    refusal = f"target address not allowed: {NAME} is not a public address; not retried"
    assert logged.error == refusal
    assert "127.0.0.1" not in logged.error  # the customer does not learn internal addresses
    assert given_up(logged)
    assert await retries(sessions) == []


async def test_one_private_address_among_public_ones_is_enough_to_refuse(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a name with a public and a private address
    deps = await strict_deps(make_deps, FakeDns({NAME: ["93.184.216.34", "10.1.2.3"]}))
    sid = await make_profile(sessions, alice, callback=named(receiver))
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert logged.error is not None
    assert logged.error.startswith("target address not allowed")


@pytest.mark.parametrize(
    "stored",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://0x7f.1:{port}/hooks/status",
        "http://[::ffff:127.0.0.1]:{port}/hooks/status",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://localhost:{port}/hooks/status",
    ],
)
async def test_an_internal_url_stored_before_the_checks_existed_is_refused_at_delivery(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct, stored: str
) -> None:
    # given a URL stored without the write-time checks (older data)
    dns = FakeDns({"localhost": ["127.0.0.1"], "metadata.google.internal": ["169.254.169.254"]})
    deps = await strict_deps(make_deps, dns)
    sid = await make_profile(sessions, alice)
    await store_directly(sessions, sid, status_callback=stored.format(port=receiver.port))
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    assert receiver.requests == []
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert logged.error is not None
    assert logged.error.startswith("target address not allowed")
    assert given_up(logged)


async def test_the_request_goes_to_the_checked_address_under_the_names_host(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a name whose second lookup would answer differently (DNS rebinding)
    dns = FakeDns({NAME: ["127.0.0.1"]})
    deps = replace(await make_deps(), resolve=dns)  # private networks allowed, as in dev
    url = named(receiver)
    sid = await make_profile(sessions, alice, callback=url)
    event = status_changed(alice, sid)
    auth_token, secret = await secrets_of(sessions, alice)

    # when it is attempted
    await handle_webhook(event, deps)

    # then the name was resolved once and the receiver got the request under the name
    assert dns.lookups == [(NAME, receiver.port)]
    [request] = receiver.requests
    assert request.url == url
    assert request.headers["host"] == f"{NAME}:{receiver.port}"
    assert_signed(request, auth_token, secret)
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert (logged.succeeded, logged.target) == (True, url)


async def test_the_next_address_is_tried_when_one_refuses_the_connection(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a name whose first address has nothing listening (the receiver is on 127.0.0.1)
    deps = replace(await make_deps(), resolve=FakeDns({NAME: ["127.0.0.2", "127.0.0.1"]}))
    sid = await make_profile(sessions, alice, callback=named(receiver))
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    assert len(receiver.requests) == 1
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert logged.succeeded


async def test_a_name_that_does_not_resolve_is_retried(
    sessions: SessionFactory, make_deps: MakeDeps, alice: Acct
) -> None:
    # given a name no resolver knows (yet)
    deps = replace(await make_deps(), resolve=FakeDns({}))
    sid = await make_profile(sessions, alice, callback=f"https://{NAME}/cb")
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert logged.error is not None
    assert logged.error.startswith(f"cannot resolve {NAME}")
    assert [r.attempt for r in await retries(sessions)] == [2]


async def test_redirects_are_not_followed(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a receiver that redirects elsewhere
    deps = await make_deps()
    elsewhere = f"http://127.0.0.1:{receiver.port}/hooks/status?moved=1"
    receiver.answer(Reply(302, headers={"Location": elsewhere}))
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then one request, a failed attempt, a retry to the same URL later
    assert [r.url for r in receiver.requests] == [receiver.url]
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert (logged.succeeded, logged.status_code, logged.error) == (False, 302, "HTTP 302 Found")
    assert [r.attempt for r in await retries(sessions)] == [2]


async def test_the_delivery_log_shows_the_status_never_the_response_body(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a receiver answering 503 with a body ("failure 503")
    deps = await make_deps()
    receiver.answer(Reply(503))
    sid = await make_profile(sessions, alice, callback=receiver.url)
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert logged.error == "HTTP 503 Service Unavailable"
    assert logged.status_code == 503


async def test_a_plain_http_url_is_refused_where_https_is_required(
    sessions: SessionFactory, make_deps: MakeDeps, receiver: Receiver, alice: Acct
) -> None:
    # given a stored http URL and WEBHOOK_REQUIRE_HTTPS=true
    deps = await make_deps(webhook_require_https=True)
    sid = await make_profile(sessions, alice)
    await store_directly(sessions, sid, status_callback=receiver.url)
    event = status_changed(alice, sid)

    # when
    await handle_webhook(event, deps)

    # then
    assert receiver.requests == []
    [logged] = await attempts(sessions, event.event_id, "WEBHOOK")
    assert logged.error == "target not allowed: https is required; not retried"


# -- TLS: the name's SNI and certificate, at the checked address ------------------------------

TLS_NAME = "hooks.acme.example"


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_certfile(tls_ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "receiver.pem"
    tls_ca.issue_cert(TLS_NAME).private_key_and_cert_chain_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
async def tls_receiver(tls_certfile: str) -> AsyncIterator[Receiver]:
    async with serving(certfile=tls_certfile) as recorder:
        yield recorder


async def test_over_tls_the_names_certificate_is_checked_at_the_pinned_address(
    sessions: SessionFactory,
    make_deps: MakeDeps,
    tls_receiver: Receiver,
    tls_ca: trustme.CA,
    alice: Acct,
) -> None:
    # given a notifier that trusts the test CA, and two names for the receiver's address: the
    # one its certificate is for, and another
    trusted = ssl.create_default_context()
    tls_ca.configure_trust(trusted)
    http = webhook_client(verify=trusted)
    dns = FakeDns({TLS_NAME: ["127.0.0.1"], "other.acme-callbacks.example": ["127.0.0.1"]})
    deps = replace(await make_deps(), http=http, resolve=dns)
    good_url = named(tls_receiver, TLS_NAME, "https")
    good = await make_profile(sessions, alice, callback=good_url)
    bad = await make_profile(
        sessions, alice, callback=named(tls_receiver, "other.acme-callbacks.example", "https")
    )
    auth_token, secret = await secrets_of(sessions, alice)

    # when both are attempted, the right name first
    first, second = status_changed(alice, good), status_changed(alice, bad)
    try:
        await handle_webhook(first, deps)
        await handle_webhook(second, deps)
    finally:
        await http.aclose()

    # then the first was delivered over TLS under its name, signed
    [request] = tls_receiver.requests
    assert request.url == good_url
    assert_signed(request, auth_token, secret)
    [delivered] = await attempts(sessions, first.event_id, "WEBHOOK")
    assert delivered.succeeded
    # and the second failed the certificate check (no connection of the first was reused)
    [failed] = await attempts(sessions, second.event_id, "WEBHOOK")
    assert not failed.succeeded
    assert failed.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in failed.error
