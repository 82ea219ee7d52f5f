"""`trusthub operations register FILE…`: store GraphQL documents by sha256 so that a gateway
with PERSISTED_QUERIES_ONLY executes them (and nothing else)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .config import Settings

MANIFEST_FORMAT = "apollo-persisted-query-manifest"


def add_parser(sub: Any) -> None:
    operations = sub.add_parser(
        "operations",
        help="register the GraphQL documents a frontend ships (PERSISTED_QUERIES_ONLY)",
        description="Persisted operations in the database at DATABASE_URL.",
    )
    actions = operations.add_subparsers(dest="operations_command", required=True, metavar="ACTION")
    register = actions.add_parser(
        "register",
        help="store documents by the sha256 of their text",
        description="Store each FILE's document under the sha256 of its exact text (what "
        "clients send as extensions.persistedQuery.sha256Hash), and print each hash. A FILE is "
        "one GraphQL document, or an Apollo persisted query manifest (JSON, "
        f'"format": "{MANIFEST_FORMAT}") whose operations\' bodies are stored. Every document '
        "is checked first: one that is not GraphQL stores nothing.",
    )
    register.add_argument("files", nargs="+", metavar="FILE", type=Path)


def read_documents(path: Path) -> list[tuple[str, str]]:
    """(where, document) of each document in a file; ValueError naming the file otherwise."""
    from .services.persisted_operations import check_document

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read: {error}") from error
    documents = [(str(path), text)]
    if path.suffix == ".json":
        try:
            manifest = json.loads(text)
            if manifest.get("format") != MANIFEST_FORMAT:
                raise ValueError(f'"format" is not "{MANIFEST_FORMAT}"')
            documents = [
                (f"{path}: {op.get('name') or op['id']}", op["body"])
                for op in manifest["operations"]
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}: not an Apollo persisted query manifest: {error}") from error
    for where, document in documents:
        if not isinstance(document, str):
            raise ValueError(f"{where}: the body is not a string")
        check_document(document, where)
    return documents


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from .db import create_engine, create_session_factory
    from .services.persisted_operations import register_operations

    try:
        found = [doc for path in args.files for doc in read_documents(path)]
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    engine = create_engine(settings.database_url, settings)
    try:
        async with create_session_factory(engine)() as session:
            stored = await register_operations(session, [document for _, document in found])
            await session.commit()
    finally:
        await engine.dispose()
    new = dict(stored)
    hashes = [_hash(document) for _, document in found]
    for (where, _), sha in zip(found, hashes, strict=True):
        print(f"{sha}  {'registered' if new.get(sha) else 'known     '}  {where}")
    return 0


def _hash(document: str) -> str:
    from .services.persisted_operations import document_hash

    return document_hash(document)
