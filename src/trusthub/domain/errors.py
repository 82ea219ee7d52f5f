"""Domain errors: exceptions with a code, mapped to GraphQL `UserError` in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_VALUE = "INVALID_VALUE"
    REQUIRED = "REQUIRED"
    LOCKED = "LOCKED"
    NONCOMPLIANT = "NONCOMPLIANT"
    PRIMARY_NOT_APPROVED = "PRIMARY_NOT_APPROVED"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    FORBIDDEN = "FORBIDDEN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    CONFLICT = "CONFLICT"
    PROFILE_NOT_APPROVED = "PROFILE_NOT_APPROVED"
    SECONDARY_PROFILE_REQUIRED = "SECONDARY_PROFILE_REQUIRED"


@dataclass(frozen=True)
class FieldError:
    code: ErrorCode
    field: tuple[str, ...] | None
    message: str


@dataclass
class DomainError(Exception):
    """One or more user-facing errors; raising it rolls the transaction back."""

    errors: list[FieldError] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(e.message for e in self.errors))

    @classmethod
    def single(
        cls, code: ErrorCode, message: str, field: Sequence[str] | None = None
    ) -> DomainError:
        return cls([FieldError(code, tuple(field) if field is not None else None, message)])


def not_found(sid: str, field: Sequence[str] = ("id",)) -> DomainError:
    shown = sid if len(sid) <= 64 else sid[:64] + "..."  # an ID can be as long as a request
    return DomainError.single(ErrorCode.NOT_FOUND, f"No object with id {shown!r}.", field)
