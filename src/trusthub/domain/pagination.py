"""Relay cursor connections: the page arguments, opaque cursors and in-memory paging.

Pure rules, no I/O: the SQL keyset queries (services/pagination.py) and the lists a dataloader
already holds (phone numbers) page by the same rules, so both directions behave the same on
every connection. The rules follow the Relay cursor connections specification."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from .errors import DomainError, ErrorCode
from .sids import sid_prefix

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a connection: its rows in order, their cursors, whether more lie on either
    side, and how many the whole (filtered) list holds."""

    rows: Sequence[T]
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool = False
    total_count: int = 0

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@dataclass(frozen=True)
class PageArgs:
    """A validated window: at most `size` items between the cursors `after` and `before`,
    taken from the front of that range (forward, `first`) or its back (`last`)."""

    size: int
    backward: bool = False
    after: str | None = None
    before: str | None = None


def page_args(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    default: int,
    maximum: int,
) -> PageArgs:
    """Validate a connection's arguments. Without `first` or `last`, `default` items are
    taken forward, or backward when only `before` is given (the items just before it)."""
    if first is not None and last is not None:
        raise DomainError.single(
            ErrorCode.INVALID_VALUE, "Pass first or last, not both.", ("last",)
        )
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= maximum:
            raise DomainError.single(
                ErrorCode.INVALID_VALUE, f"{name} must be between 0 and {maximum}.", (name,)
            )
    if last is not None:
        return PageArgs(last, True, after, before)
    if first is not None:
        return PageArgs(first, False, after, before)
    return PageArgs(default, before is not None and after is None, after, before)


# -- cursors ------------------------------------------------------------------------------------
# A cursor is the item's sort key as a JSON array, base64url without padding: opaque to
# clients, and stable (the key of an item never changes, so neither does its cursor).


def encode_key(*parts: str) -> str:
    raw = json.dumps(list(parts)).encode()  # the format cursors have always had
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parts(cursor: str) -> list[Any]:
    padded = cursor + "=" * (-len(cursor) % 4)
    parts = json.loads(base64.urlsafe_b64decode(padded))
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise ValueError("not a list of strings")
    return parts


def _malformed(field: str) -> DomainError:
    return DomainError.single(ErrorCode.INVALID_VALUE, f"Malformed cursor in {field}.", (field,))


def encode_cursor(at: datetime, sid: str) -> str:
    """The cursor of an item kept in (time, SID) order."""
    return encode_key(at.isoformat(), sid)


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, str]:
    try:
        created, sid = _parts(cursor)
        at = datetime.fromisoformat(created)
        if at.tzinfo is None:  # every cursor we issue is UTC-aware; this one was not ours
            raise ValueError("naive cursor time")
        if not isinstance(sid, str) or sid_prefix(sid) is None:
            raise ValueError("not a SID")  # nor anything else the database should see
        return at, sid
    except (ValueError, TypeError, binascii.Error):
        raise _malformed(field) from None


def decode_text_cursor(cursor: str, field: str = "after") -> str:
    """The key of an item kept in the order of one text value (a phone number)."""
    try:
        (key,) = _parts(cursor)
        return str(key)
    except (ValueError, TypeError, binascii.Error):
        raise _malformed(field) from None


# -- paging a list in memory ----------------------------------------------------------------


def page_of_keys(keys: Sequence[str], args: PageArgs) -> Page[str]:
    """The page of text `keys` (sorted, unique) that `args` selects. The side the page does
    not reach reports what lies beyond its cursor: keys up to `after` when paging forward,
    from `before` on when paging backward (the spec lets servers say so when it is cheap)."""
    low = decode_text_cursor(args.after, "after") if args.after is not None else None
    high = decode_text_cursor(args.before, "before") if args.before is not None else None
    window = [k for k in keys if (low is None or k > low) and (high is None or k < high)]
    if args.backward:
        page = window[max(len(window) - args.size, 0) :]
        beyond = high is not None and any(k >= high for k in keys)
        more = len(window) > args.size
        return Page(page, [encode_key(k) for k in page], beyond, more, len(keys))
    page = window[: args.size]
    beyond = low is not None and any(k <= low for k in keys)
    return Page(page, [encode_key(k) for k in page], len(window) > args.size, beyond, len(keys))
