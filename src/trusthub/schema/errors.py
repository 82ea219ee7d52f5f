"""`UserError` and the one place domain errors become it."""

from __future__ import annotations

import strawberry

from ..domain.errors import DomainError, ErrorCode


@strawberry.type
class UserError:
    code: str
    field: list[str] | None
    message: str


def user_errors(exc: DomainError) -> list[UserError]:
    return [
        UserError(code=e.code.value, field=list(e.field) if e.field else None, message=e.message)
        for e in exc.errors
    ]


def conflict() -> list[UserError]:
    return [
        UserError(
            code=ErrorCode.CONFLICT.value,
            field=None,
            message="The object was changed by another request; read it again and retry.",
        )
    ]
