"""One-line hints for the database mistakes an operator makes first (a database never migrated,
a database that does not exist, a server not running), instead of a SQLAlchemy traceback."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from .config import Settings

# PostgreSQL's SQLSTATE codes: undefined_table and invalid_catalog_name.
_UNDEFINED_TABLE = "42P01"
_NO_SUCH_DATABASE = "3D000"
DEV_DATABASE_FILE = "trusthub-dev.db"


def shown_url(database_url: str) -> str:
    """The URL as it may be printed: without its password."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return database_url


def database_hint(exc: BaseException, settings: Settings) -> str | None:
    """The hint for `exc`, or None when it is not one of the mistakes this knows."""
    url = shown_url(settings.database_url)
    if isinstance(exc, DBAPIError):
        state = getattr(exc.orig, "sqlstate", None)
        text = str(exc.orig)
        if state == _UNDEFINED_TABLE or text.startswith("no such table"):
            return (
                f"error: the database at {url} has no trusthub tables: run `trusthub migrate`"
                + _dev_note(settings)
            )
        if state == _NO_SUCH_DATABASE:
            return (
                f"error: the database in DATABASE_URL ({url}) does not exist: create it "
                "(createdb) or fix DATABASE_URL, then run `trusthub migrate`"
            )
        if "unable to open database file" in text:
            return f"error: cannot open the SQLite file of DATABASE_URL ({url}): check the path"
    if isinstance(exc, OSError):  # the server refused or the name did not resolve
        return f"error: cannot reach the database at {url} ({exc}): is it up? Check DATABASE_URL"
    return None


def _dev_note(settings: Settings) -> str:
    """Beside `make dev` the CLI's default database is not the dev one: say how to reach it."""
    if "database_url" in settings.model_fields_set or not Path(DEV_DATABASE_FILE).exists():
        return ""
    return (
        f" (DATABASE_URL is unset; for `make dev`'s database set "
        f"DATABASE_URL=sqlite:///{Path(DEV_DATABASE_FILE).resolve()})"
    )
