from __future__ import annotations

from dataclasses import dataclass

from ..domain.enums import Role


@dataclass(frozen=True)
class Actor:
    """Who is acting: an authenticated account (or a system process)."""

    account_sid: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def name(self) -> str:
        return self.account_sid
