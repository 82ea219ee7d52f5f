"""Read-only rows of a table, loaded with SQLAlchemy Core instead of the ORM.

The read paths (dataloaders, paginated lists) select a table's columns with a Core `select()`
and keep each row as a named tuple whose fields are the model's column attributes: it reads
like the model (`row.sid`, `row.created_at`, the same Python values, JSON and UTC datetimes
included) without an ORM instance's identity map, state tracking and instrumented attributes,
which cost a read more than executing its statement (bench/README.md, issue 16 item 2).
Writes load ORM instances as before; nothing may change a row read here (a tuple refuses).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from typing import Any, Generic, TypeVar, cast

import sqlalchemy as sa
from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)


class RowReader(Generic[M]):
    """The columns of `model`'s table and how to turn a result row into a read-only row."""

    def __init__(self, model: type[M]) -> None:
        mapper = sa.inspect(model)
        attrs = list(mapper.column_attrs)
        self.model = model
        self.columns: tuple[sa.ColumnElement[Any], ...] = tuple(a.columns[0] for a in attrs)
        self._by_key: dict[str, sa.ColumnElement[Any]] = {a.key: a.columns[0] for a in attrs}
        row_type: Any = namedtuple  # built from the table's columns at run time
        self._make = row_type(f"{model.__name__}Row", [a.key for a in attrs])._make

    def select(self) -> sa.Select[Any]:
        """`SELECT <every column of the table>`; add `where`/`order_by` as usual."""
        return sa.select(*self.columns)

    def column(self, key: str) -> sa.ColumnElement[Any]:
        """The table's column behind the model's attribute `key` (a Core column, so that a
        statement built from it stays out of the ORM's compilation)."""
        return self._by_key[key]

    def rows(self, result: Iterable[Any]) -> list[M]:
        """Each result row as a read-only row typed as the model: it has the model's column
        attributes and nothing else (the tables have no methods or properties)."""
        make = self._make
        return cast(list[M], [make(r) for r in result])


_READERS: dict[type[SQLModel], RowReader[Any]] = {}


def reader(model: type[M]) -> RowReader[M]:
    """The model's reader, built once per process."""
    found = _READERS.get(model)
    if found is None:
        found = _READERS[model] = RowReader(model)
    return cast(RowReader[M], found)
