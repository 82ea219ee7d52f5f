"""Read-only rows (`models/rows.py`): a Core select of a table's columns reads exactly what the
ORM instance holds, attribute for attribute, and refuses to be changed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from trusthub.db import SessionFactory
from trusthub.models import CustomerProfile
from trusthub.models.rows import reader
from trusthub.services import profiles

from .conftest import Acct
from .factories import business_profile


async def test_a_row_reads_like_the_model_instance(sessions: SessionFactory, alice: Acct) -> None:
    # given a business profile with JSON columns (regions, reasons) and UTC timestamps
    async with sessions() as session:
        await profiles.create_profile(session, alice.actor, business_profile())
        await session.commit()
    rows_of = reader(CustomerProfile)
    # when it is read as an ORM instance and as a read-only row
    async with sessions() as session:
        instance = (await session.exec(select(CustomerProfile))).one()
        connection = await session.connection()
        (row,) = rows_of.rows(await connection.execute(rows_of.select()))
    # then every column attribute holds the same value, of the same type
    keys = [c.key for c in CustomerProfile.__table__.columns]  # type: ignore[attr-defined]
    assert sorted(row._fields) == sorted(keys)  # type: ignore[attr-defined]
    for key in keys:
        assert getattr(row, key) == getattr(instance, key), key
        assert type(getattr(row, key)) is type(getattr(instance, key)), key
    assert row.created_at.utcoffset() is not None
    assert row.regions_of_operation == instance.regions_of_operation != []
    # and it cannot be changed by mistake
    with pytest.raises(AttributeError):
        row.status = "APPROVED"
