"""`UserError` and the one place domain errors become it."""

from __future__ import annotations

import strawberry

from ..domain.errors import DomainError, ErrorCode


class ClientError(Exception):
    """A malformed request (bad argument); shown to the client even when errors are masked."""


@strawberry.type(
    description="Why a mutation was refused: a problem with the request's data, not a failure "
    "of the server (those are top-level errors)."
)
class UserError:
    code: str = strawberry.field(
        description="NOT_FOUND, INVALID_VALUE, REQUIRED, LOCKED, NONCOMPLIANT, "
        "PRIMARY_NOT_APPROVED, TERMS_NOT_ACCEPTED, FORBIDDEN, LIMIT_EXCEEDED, CONFLICT, …"
    )
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, e.g. ["business", "websiteUrl"]; '
        "null when the error is about the request as a whole."
    )
    message: str = strawberry.field(description="What is wrong, in a sentence for people.")


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
