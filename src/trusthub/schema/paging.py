"""A connection's arguments, validated with the gateway's page sizes. Here rather than in
resolvers/ because the types' own connection fields (a profile's trust products, …) need it
too, and types never import resolvers."""

from __future__ import annotations

from ..domain import pagination
from ..domain.errors import DomainError
from ..domain.pagination import PageArgs
from .context import Info
from .errors import ClientError


def page_args(
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> PageArgs:
    """A connection's validated arguments; bad ones fail the request with a clear message."""
    settings = info.context.settings
    try:
        return pagination.page_args(
            first,
            after,
            last,
            before,
            default=settings.default_page_size,
            maximum=settings.max_page_size,
        )
    except DomainError as exc:
        raise ClientError(exc.errors[0].message) from None
