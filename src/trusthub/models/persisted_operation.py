from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class PersistedOperation(SQLModel, table=True):
    """A GraphQL document registered ahead (`trusthub operations register`), found by the
    sha256 of its exact text: in the database so that every gateway knows the same set, which
    PERSISTED_QUERIES_ONLY then limits requests to."""

    __tablename__ = "persisted_operation"

    sha256: str = Field(primary_key=True, max_length=64)  # hex, lowercase
    document: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
