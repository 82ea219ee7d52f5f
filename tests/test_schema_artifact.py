"""The schema as an artifact: `trusthub schema` prints the SDL, `schema.graphql` is that SDL,
nothing breaks clients of the last release unless marked, and everything is described."""

from __future__ import annotations

import asyncio
import sys
import warnings
from pathlib import Path

import pytest

from trusthub.config import Settings
from trusthub.gateway_schema import schema_sdl

from .schema_checks import (
    ALLOWED_FILE,
    RELEASED_FILE,
    SCHEMA_FILE,
    classify,
    classify_files,
    load_allowed,
    undescribed,
)
from .test_cli import cli_env

ROOT = Path(__file__).resolve().parents[1]
TRUSTHUB = str(Path(sys.executable).with_name("trusthub"))

RELEASED = '''
"""Reads."""
type Query {
  """A profile."""
  profile(
    """Its SID."""
    id: ID!
  ): Profile
}

"""A profile."""
type Profile {
  """Its SID."""
  id: ID!
  """Its name."""
  name: String
}
'''


def _settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def current_sdl() -> str:
    return schema_sdl(_settings())


def test_schema_graphql_is_the_schema_of_the_code(current_sdl: str) -> None:
    # given the committed schema.graphql
    committed = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    # when the code's schema is printed, then it is the same, byte for byte
    assert current_sdl == committed, (
        "schema.graphql differs from the code's schema: run `trusthub schema > schema.graphql` "
        "and commit it (check the change with `git diff schema.graphql`)."
    )


async def test_trusthub_schema_prints_the_sdl(tmp_path: Path, current_sdl: str) -> None:
    # when an operator runs `trusthub schema` where there is no database or .env
    proc = await asyncio.create_subprocess_exec(
        TRUSTHUB,
        "schema",
        cwd=tmp_path,
        env=cli_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    # then it succeeds and prints exactly the SDL, in alphabetical order of types
    assert proc.returncode == 0, stderr.decode()
    assert stdout.decode() == current_sdl
    types = [line.split()[1] for line in current_sdl.splitlines() if line.startswith("type ")]
    assert types == sorted(types)
    assert "type PageInfo {" in current_sdl
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240  (no database file was created)


def test_no_breaking_change_since_the_release_unless_marked(current_sdl: str) -> None:
    # when the code's schema is compared with the last released one
    changes = classify_files(ROOT, current_sdl)
    # then every breaking change is listed, with its reason, in the allow-list
    assert not changes.unmarked, (
        f"Breaking changes against {RELEASED_FILE}; make them compatible, or list each in "
        f"{ALLOWED_FILE} with a reason:\n"
        + "\n".join(f"  {c.type.name}: {c.description}" for c in changes.unmarked)
    )
    # and the allow-list holds nothing that is no longer a change
    assert not changes.stale, f"Entries of {ALLOWED_FILE} that match no change: {changes.stale}"
    # dangerous changes (new arguments, enum values, defaults) are shown, not refused
    if changes.dangerous:
        listed = "; ".join(c.description for c in changes.dangerous)
        warnings.warn(f"Dangerous schema changes since the release: {listed}", stacklevel=1)


def test_the_relay_additions_are_not_breaking() -> None:
    # given the released schema and the code's
    released = (ROOT / RELEASED_FILE).read_text(encoding="utf-8")
    current = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    # when they are classified with an empty allow-list
    changes = classify(released, current, {})
    # then nothing breaks, and last/before and the new defaults are the dangerous additions
    assert changes.unmarked == []
    dangerous = {c.description for c in changes.dangerous}
    assert "An optional argument Query.customerProfiles(last:) was added." in dangerous
    assert "An optional argument Query.reviewQueue(before:) was added." in dangerous


def test_a_breaking_change_fails_until_it_is_marked() -> None:
    # given a schema that removes a field and makes an argument-less field's type stricter
    current = RELEASED.replace('  """Its name."""\n  name: String\n', "").replace(
        "): Profile", "): Profile!"
    )
    # when it is classified without an allow-list
    unmarked = classify(RELEASED, current, {}).unmarked
    # then the removal is reported (a stricter output type is safe for clients)
    assert [c.description for c in unmarked] == ["Field Profile.name was removed."]
    # and once marked with a reason it passes, while a mark for nothing is reported as stale
    allowed = load_allowed(
        '[[allowed]]\nchange = "Field Profile.name was removed."\nreason = "Now label (2.0)."\n'
        '[[allowed]]\nchange = "Field Query.gone was removed."\nreason = "Long ago."\n'
    )
    marked = classify(RELEASED, current, allowed)
    assert (marked.unmarked, marked.stale) == ([], ["Field Query.gone was removed."])


def test_an_allowed_change_needs_a_reason() -> None:
    # when an allow-list entry has no reason, then the list is refused
    with pytest.raises(ValueError, match="needs a change and a reason"):
        load_allowed('[[allowed]]\nchange = "Field Profile.name was removed."\nreason = " "\n')


def test_every_type_field_argument_and_enum_value_is_described(current_sdl: str) -> None:
    # when the code's schema is searched for anything without a description
    missing = undescribed(current_sdl)
    # then there is nothing: GraphiQL's docs and generated clients carry every one
    assert missing == [], f"{len(missing)} without a description: {missing}"


def test_missing_descriptions_are_found_everywhere() -> None:
    # given a schema with one undescribed thing of each kind
    sdl = '''
    type Query { a(x: Int): E  """ok""" b: Int }
    input I { f: Int }
    enum E { V }
    interface N { id: ID }
    scalar S
    '''
    # when it is searched, then each is named the way the failure message shows it
    assert undescribed(sdl) == [
        "E",
        "E.V",
        "I",
        "I.f",
        "N",
        "N.id",
        "Query",
        "Query.a",
        "Query.a(x)",
        "S",
    ]
