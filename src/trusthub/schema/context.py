"""The typed per-request context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from ..blobs import BlobStore
from ..config import Settings
from ..consumers.subscriptions import EventHub
from ..db import SessionFactory
from ..domain.enums import Role
from ..domain.errors import DomainError, ErrorCode
from ..models import Account
from ..services.actor import Actor
from .loaders import Loaders, SharedReads


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    sessions: SessionFactory
    account: Account | None = None
    connection_params: dict[str, Any] | None = None
    hub: EventHub = field(default_factory=EventHub)
    # One connection for the dataloader batches of an HTTP request (`loaders.SharedReads`);
    # None on WebSocket connections. With it, `sessions` gives that connection back first.
    reads: SharedReads | None = None
    blobs: BlobStore | None = None  # where createSupportingDocument stores files
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        if self.reads is not None:
            self.sessions = self.reads.sessions  # type: ignore[assignment]
        self.reset_loaders()

    def reset_loaders(self) -> None:
        """Fresh caches: per operation, and after a mutation commits."""
        self.loaders = Loaders(self.sessions, self.reads)

    @property
    def actor(self) -> Actor:
        if self.account is None:  # the HTTP gate and connection_init keep this from happening
            raise DomainError.single(ErrorCode.FORBIDDEN, "Authentication required.")
        return Actor(self.account.sid, Role(self.account.role))

    def can_see(self, account_sid: str) -> bool:
        actor = self.actor
        return actor.is_admin or actor.account_sid == account_sid


Info = StrawberryInfo[Context, None]
