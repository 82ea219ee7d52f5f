"""Shared column types and helpers for the SQLModel tables."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic._internal import _fields
from sqlalchemy.engine import Dialect


def _remember_factory_signatures() -> None:
    """SQLModel builds a table row without validation: for each field left to its
    `default_factory` it asks pydantic's `FieldInfo.get_default`, which runs `inspect.signature`
    on the factory every time to learn whether it takes the validated data (the defect
    pydantic#13376 fixed for private attributes), a large part of a submit's CPU
    (bench/README.md) and cyclic garbage for the collector. The answer depends on the factory
    alone: remember it.
    """
    original = _fields.takes_validated_data_argument
    if hasattr(original, "cache_info"):
        return
    cached = functools.lru_cache(maxsize=1024)(original)

    @functools.wraps(original)
    def takes_validated_data_argument(default_factory: Callable[..., Any]) -> bool:
        try:
            return bool(cached(default_factory))
        except TypeError:  # an unhashable factory: ask every time, as pydantic does
            return bool(original(default_factory))

    takes_validated_data_argument.cache_info = cached.cache_info  # type: ignore[attr-defined]
    _fields.takes_validated_data_argument = takes_validated_data_argument  # type: ignore[assignment]


_remember_factory_signatures()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ts_column(*, nullable: bool = False, index: bool = False) -> Any:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


def json_column(*, nullable: bool = False) -> Any:
    return sa.Column(sa.JSON(), nullable=nullable)
