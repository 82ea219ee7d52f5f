"""Authorized representatives on SQLite and PostgreSQL: at most two, checked, locked with the
profile."""

from __future__ import annotations

from sqlmodel import col, select

from trusthub.db import SessionFactory
from trusthub.domain.errors import ErrorCode
from trusthub.domain.sids import SID_RE
from trusthub.models import AuthorizedRepresentative
from trusthub.services import representatives

from ..conftest import Acct
from ..factories import rep_changes
from .helpers import (
    LOCKED,
    codes,
    count,
    create,
    create_complete,
    force,
    individual_profile,
    refused,
    stored,
)


async def reps_of(sessions: SessionFactory, profile_sid: str) -> list[AuthorizedRepresentative]:
    async with sessions() as s:
        query = (
            select(AuthorizedRepresentative)
            .where(col(AuthorizedRepresentative.profile_sid) == profile_sid)
            .order_by(col(AuthorizedRepresentative.position))
        )
        return list((await s.exec(query)).all())


async def test_two_representatives_are_stored_normalised(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a business profile
    sid = await create(sessions, alice)
    # when alice adds #1 and #2, the second with a spaced phone number
    async with sessions() as s:
        await representatives.add_representative(s, alice.actor, sid, 1, rep_changes())
        await representatives.add_representative(
            s, alice.actor, sid, 2, rep_changes(firstName="Alan", phoneNumber="+1 415 555 0102")
        )
        await s.commit()
    # then both are stored with IT SIDs, in their positions, the phone number in E.164
    reps = await reps_of(sessions, sid)
    assert [(r.position, r.first_name, r.phone_number) for r in reps] == [
        (1, "Grace", "+14155550101"),
        (2, "Alan", "+14155550102"),
    ]
    assert all(SID_RE.match(r.sid) and r.sid.startswith("IT") for r in reps)


async def test_only_positions_one_and_two_exist(sessions: SessionFactory, alice: Acct) -> None:
    # given a business profile
    sid = await create(sessions, alice)
    for position in (0, 3, -1):
        # when alice adds a representative at another position
        async with sessions() as s:
            error = await refused(
                representatives.add_representative(s, alice.actor, sid, position, rep_changes())
            )
        # then it is refused as over the limit
        assert codes(error) == {(ErrorCode.LIMIT_EXCEEDED, ("position",))}, position
    assert await count(sessions, AuthorizedRepresentative) == 0


async def test_a_third_representative_is_refused(sessions: SessionFactory, alice: Acct) -> None:
    # given a profile with both representatives
    sid = await create_complete(sessions, alice)
    async with sessions() as s:
        await representatives.add_representative(s, alice.actor, sid, 2, rep_changes())
        await s.commit()
    for position in (1, 2):
        # when alice adds another at a taken position
        async with sessions() as s:
            error = await refused(
                representatives.add_representative(
                    s, alice.actor, sid, position, rep_changes(firstName="Third")
                )
            )
        # then it is refused and the stored one stays
        assert codes(error) == {(ErrorCode.INVALID_VALUE, ("position",))}
    reps = await reps_of(sessions, sid)
    assert [(r.position, r.first_name) for r in reps] == [(1, "Grace"), (2, "Grace")]


async def test_a_representative_needs_every_field_well_formed(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given a business profile, and a representative without a title and with three bad values
    sid = await create(sessions, alice)
    changes = rep_changes(email="grace@", phoneNumber="4155550101", jobPosition="CTO")
    del changes[("businessTitle",)]
    # when alice adds it
    async with sessions() as s:
        error = await refused(representatives.add_representative(s, alice.actor, sid, 1, changes))
    # then every problem is named at once and nothing is stored
    assert codes(error) == {
        (ErrorCode.REQUIRED, ("businessTitle",)),
        (ErrorCode.INVALID_VALUE, ("email",)),
        (ErrorCode.INVALID_VALUE, ("phoneNumber",)),
        (ErrorCode.INVALID_VALUE, ("jobPosition",)),
    }
    assert await count(sessions, AuthorizedRepresentative) == 0


async def test_update_changes_only_what_is_sent(sessions: SessionFactory, alice: Acct) -> None:
    # given representative #1
    sid = await create_complete(sessions, alice)
    [rep] = await reps_of(sessions, sid)
    # when alice changes the phone number and the job position
    async with sessions() as s:
        await representatives.update_representative(
            s, alice.actor, rep.sid, {("phoneNumber",): "+44 20 7946 0958", ("jobPosition",): "VP"}
        )
        await s.commit()
    # then those changed and the rest stayed
    [after] = await reps_of(sessions, sid)
    assert (after.phone_number, after.job_position, after.first_name, after.email) == (
        "+442079460958",
        "VP",
        "Grace",
        "grace@acme.example.com",
    )


async def test_update_refuses_bad_values_and_keeps_the_stored_ones(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given representative #1
    sid = await create_complete(sessions, alice)
    [before] = await reps_of(sessions, sid)
    # when alice clears the first name, sends an oversized title, a too-short number, a good email
    async with sessions() as s:
        error = await refused(
            representatives.update_representative(
                s,
                alice.actor,
                before.sid,
                {
                    ("firstName",): None,
                    ("businessTitle",): "T" * 65,
                    ("phoneNumber",): "+1 415",
                    ("email",): "g@acme.com",
                },
            )
        )
    # then the three problems are named and nothing changed
    assert codes(error) == {
        (ErrorCode.REQUIRED, ("firstName",)),
        (ErrorCode.INVALID_VALUE, ("businessTitle",)),
        (ErrorCode.INVALID_VALUE, ("phoneNumber",)),
    }
    [after] = await reps_of(sessions, sid)
    assert after.model_dump() == before.model_dump()


async def test_remove_deletes_the_representative(sessions: SessionFactory, alice: Acct) -> None:
    # given representative #1
    sid = await create_complete(sessions, alice)
    [rep] = await reps_of(sessions, sid)
    # when alice removes it
    async with sessions() as s:
        await representatives.remove_representative(s, alice.actor, rep.sid)
        await s.commit()
    # then the profile has none and the position is free again
    assert await reps_of(sessions, sid) == []
    async with sessions() as s:
        await representatives.add_representative(s, alice.actor, sid, 1, rep_changes())
        await s.commit()
    assert len(await reps_of(sessions, sid)) == 1


async def test_individual_profiles_have_no_representatives(
    sessions: SessionFactory, alice: Acct
) -> None:
    # given an individual profile
    sid = await create(sessions, alice, individual_profile())
    # when alice adds a representative
    async with sessions() as s:
        error = await refused(
            representatives.add_representative(s, alice.actor, sid, 1, rep_changes())
        )
    # then it is refused and none is stored
    assert codes(error) == {(ErrorCode.INVALID_VALUE, ("profileId",))}
    assert await count(sessions, AuthorizedRepresentative) == 0


async def test_locked_profiles_refuse_representative_changes(
    sessions: SessionFactory, alice: Acct
) -> None:
    for status in LOCKED:
        # given a profile with representative #1, under review or approved
        sid = await create_complete(sessions, alice)
        [rep] = await reps_of(sessions, sid)
        await force(sessions, sid, status)
        version = (await stored(sessions, sid)).version
        # when alice adds, changes or removes a representative
        async with sessions() as s:
            added = await refused(
                representatives.add_representative(s, alice.actor, sid, 2, rep_changes())
            )
        async with sessions() as s:
            updated = await refused(
                representatives.update_representative(
                    s, alice.actor, rep.sid, {("firstName",): "Changed"}
                )
            )
        async with sessions() as s:
            removed = await refused(representatives.remove_representative(s, alice.actor, rep.sid))
        # then each is refused as LOCKED and the representatives and profile are as they were
        for error in (added, updated, removed):
            assert [e.code for e in error.errors] == [ErrorCode.LOCKED], status
        assert [r.model_dump() for r in await reps_of(sessions, sid)] == [rep.model_dump()]
        assert (await stored(sessions, sid)).version == version
