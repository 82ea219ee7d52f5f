"""Writing the changes of many versioned rows of one table in one UPDATE.

The ORM writes a row with a version counter (`version_id_col`) one UPDATE at a time, so that it
can check each row's count; a decision batch changes a review and a subject per message. Here
the locked rows a transaction changed are written one statement per table — each changed column
set with a `CASE` on the SID, the counter bumped, and the statement limited to the
`(sid, version)` pairs read — and the number of rows it matched is checked exactly as the ORM
checks each one's (a stale row raises `StaleDataError` and the transaction rolls back). The rows
are then marked as written (`set_committed_value`), so the flush at commit leaves them alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel.ext.asyncio.session import AsyncSession

from . import txcache


async def write_locked_rows(session: AsyncSession) -> None:
    """Write the changes of the rows this transaction holds locked (`txcache.locked`), one
    UPDATE per versioned table with more than one changed row; the rest the flush writes."""
    by_mapper: dict[Mapper[Any], list[Any]] = {}
    for row in _unique(txcache.locked(session).values()):
        state = sa.inspect(row)
        mapper = state.mapper
        if mapper.version_id_col is None or not state.persistent or row not in session.dirty:
            continue
        by_mapper.setdefault(mapper, []).append(row)
    for mapper, dirty in by_mapper.items():
        changed = [(row, _changes(mapper, row)) for row in dirty]
        changed = [(row, changes) for row, changes in changed if changes]
        if len(changed) > 1:  # one row: the flush's own UPDATE is the same single statement
            await _write(session, mapper, [r for r, _ in changed], [c for _, c in changed])


def _unique(rows: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for row in rows:
        seen.setdefault(id(row), row)
    return list(seen.values())


def _changes(mapper: Mapper[Any], row: Any) -> dict[str, Any]:
    """The changed column attributes of the row: attribute key → its new value."""
    attrs = sa.inspect(row).attrs
    return {
        prop.key: getattr(row, prop.key)
        for prop in mapper.column_attrs
        if prop.columns[0] is not mapper.version_id_col and attrs[prop.key].history.has_changes()
    }


async def _write(
    session: AsyncSession, mapper: Mapper[Any], rows: list[Any], changes: list[dict[str, Any]]
) -> None:
    table = mapper.local_table
    assert isinstance(table, sa.Table)
    assert mapper.version_id_col is not None
    (key_column,) = mapper.primary_key
    key_attr = mapper.get_property_by_column(key_column).key
    version_column = mapper.version_id_col
    version_attr = mapper.get_property_by_column(version_column).key
    keys = [getattr(row, key_attr) for row in rows]
    values: dict[str, Any] = {}
    for attr in sorted({attr for change in changes for attr in change}):
        column = mapper.get_property(attr).columns[0]
        whens = [
            (key_column == key, sa.literal(change[attr], column.type))
            for key, change in zip(keys, changes, strict=True)
            if attr in change
        ]
        values[column.name] = sa.case(*whens, else_=column)
    values[version_column.name] = version_column + 1
    read = [(key, getattr(row, version_attr)) for key, row in zip(keys, rows, strict=True)]
    statement = (
        sa.update(table).where(sa.tuple_(key_column, version_column).in_(read)).values(values)
    )
    # On the session's connection: a Core statement, which neither autoflushes nor syncs rows.
    result = await (await session.connection()).execute(statement)
    if result.rowcount != len(rows):
        raise StaleDataError(
            f"UPDATE of {table.name} expected to match {len(rows)} rows, matched "
            f"{result.rowcount}: a row was changed by another transaction"
        )
    for row, change in zip(rows, changes, strict=True):
        for attr, value in change.items():
            set_committed_value(row, attr, value)
        set_committed_value(row, version_attr, getattr(row, version_attr) + 1)
