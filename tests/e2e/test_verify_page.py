"""The representative's verification page over a real uvicorn server, on SQLite and PostgreSQL:
what it shows (escaped), one answer recorded, and every link that must not work."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from trusthub.config import Settings
from trusthub.db import SessionFactory
from trusthub.domain.enums import Role
from trusthub.domain.verification import sign_token
from trusthub.models import AuthorizedRepresentative, RepresentativeVerification
from trusthub.services import profiles, representatives, verifications

from ..conftest import Acct, MakeAccount
from ..factories import business_profile, rep_changes

pytestmark = pytest.mark.e2e

HOSTILE_NAME = "<script>alert(1)</script>"


async def asked(
    sessions: SessionFactory,
    settings: Settings,
    owner: Acct,
    reviewer: Acct,
    *,
    ttl_hours: float = 1,
) -> tuple[str, str]:
    """A reviewer asks the representative (first name HOSTILE_NAME); its link token and sid."""
    async with sessions() as s:
        row = await profiles.create_profile(
            s, owner.actor, business_profile(changes={("business", "legalName"): "Acme & Sons"})
        )
        await representatives.add_representative(
            s, owner.actor, row.sid, 1, rep_changes(firstName=HOSTILE_NAME, businessTitle="COO")
        )
        await s.commit()
        rep = (await s.exec(select(AuthorizedRepresentative))).one()
        keys = verifications.LinkKeys(settings.verification_secret(), timedelta(hours=ttl_hours))
        asked = await verifications.request_verification(s, reviewer.actor, rep.sid, keys)
        await s.commit()
    return sign_token(settings.verification_secret(), asked.sid, asked.expires_at), asked.sid


async def status(sessions: SessionFactory, sid: str) -> str:
    async with sessions() as s:
        row = await s.get(RepresentativeVerification, sid)
        assert row is not None
        return row.status


async def test_the_page_names_everyone_escaped_and_takes_one_answer(
    http: httpx.AsyncClient,
    sessions: SessionFactory,
    settings: Settings,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given a request to a representative whose name holds markup
    reviewer = await make_account("rita", Role.REVIEWER)
    token, sid = await asked(sessions, settings, alice, reviewer)

    # when the representative opens the link
    page = await http.get(f"/verify/{token}")

    # then a plain page names the company, the person and the title, every value escaped
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Acme &amp; Sons" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hopper" in page.text
    assert "(COO)" in page.text
    assert "<script" not in page.text
    assert "src=" not in page.text
    assert "http" not in page.text.split("<body>")[1]
    assert '<meta name="viewport"' in page.text
    assert '<form method="post">' in page.text
    assert '<button type="submit" name="answer" value="confirm">' in page.text
    assert '<button type="submit" name="answer" value="decline">' in page.text

    # when they confirm
    done = await http.post(f"/verify/{token}", data={"answer": "confirm"})

    # then it is recorded
    assert done.status_code == 200
    assert "You confirmed that you represent Acme &amp; Sons" in done.text
    assert await status(sessions, sid) == "CONFIRMED"

    # when the link is used again (to decline, or only to look)
    again = await http.post(f"/verify/{token}", data={"answer": "decline"})
    look = await http.get(f"/verify/{token}")

    # then it is refused with a page that says so, and nothing changed
    assert (again.status_code, look.status_code) == (409, 409)
    assert "already used" in again.text
    assert await status(sessions, sid) == "CONFIRMED"


async def test_tampered_expired_and_answerless_posts_change_nothing(
    http: httpx.AsyncClient,
    sessions: SessionFactory,
    settings: Settings,
    alice: Acct,
    make_account: MakeAccount,
) -> None:
    # given one live request and (for bob's representative) one whose link has expired
    reviewer = await make_account("rita", Role.REVIEWER)
    token, sid = await asked(sessions, settings, alice, reviewer)
    sid_part, stamp, signature = token.split(".")

    # when the link is tampered with (a later expiry, another signature, cut short)
    tampered = [
        f"{sid_part}.{int(stamp) + 3600}.{signature}",
        f"{sid_part}.{stamp}.{signature[:-2]}AA",
        f"{sid_part}.{stamp}",
    ]
    replies = [await http.post(f"/verify/{t}", data={"answer": "confirm"}) for t in tampered]
    shown = await http.get(f"/verify/{tampered[0]}")
    # or posted without a valid answer
    no_answer = await http.post(f"/verify/{token}", data={})
    bad_answer = await http.post(f"/verify/{token}", data={"answer": "maybe"})

    # then each is refused with a page that says so, and the request is still PENDING
    assert [r.status_code for r in replies] == [404, 404, 404]
    assert shown.status_code == 404
    assert "not valid" in shown.text
    assert (no_answer.status_code, bad_answer.status_code) == (400, 400)
    assert "Choose confirm or decline" in bad_answer.text
    assert await status(sessions, sid) == "PENDING"

    # given a request asked again with a link that has expired already
    async with sessions() as s:
        rep = (await s.exec(select(AuthorizedRepresentative))).one()
        keys = verifications.LinkKeys(settings.verification_secret(), timedelta(hours=-1))
        row = await verifications.request_verification(s, reviewer.actor, rep.sid, keys)
        await s.commit()
    late_token = sign_token(settings.verification_secret(), row.sid, row.expires_at)

    # when it is opened or answered
    late_page = await http.get(f"/verify/{late_token}")
    late = await http.post(f"/verify/{late_token}", data={"answer": "confirm"})
    # and the first link, replaced by this request, is answered
    replaced = await http.post(f"/verify/{token}", data={"answer": "confirm"})

    # then: expired (410), replaced (409), and nothing was recorded
    assert (late_page.status_code, late.status_code) == (410, 410)
    assert "expired" in late.text
    assert replaced.status_code == 409
    assert await status(sessions, sid) == "PENDING"
