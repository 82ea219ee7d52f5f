"""SECURITY.md stays true to the code: every file it points to exists, and every setting it
names is a real setting with the default it states."""

from __future__ import annotations

import re
from pathlib import Path

from trusthub.config import Settings

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "SECURITY.md").read_text()


def test_every_file_it_points_to_exists() -> None:
    paths = set(re.findall(r"`((?:src|tests)/[\w/]+\.py)`", TEXT))
    assert paths, "SECURITY.md names no files"
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


def test_every_setting_it_names_exists() -> None:
    error_codes = {"FORBIDDEN", "INVALID_VALUE"}
    named = set(re.findall(r"`([A-Z][A-Z_]{3,})(?:=[^`]*)?`", TEXT)) - error_codes
    known = {name.upper() for name in Settings.model_fields}
    assert named, "SECURITY.md names no settings"
    assert sorted(named - known) == []


def test_the_defaults_it_states_are_the_defaults() -> None:
    settings = Settings(_env_file=None)
    stated = re.findall(r"`([A-Z][A-Z_]+)` \((\d[\d,]*)\)", TEXT)
    assert stated
    for name, value in stated:
        assert getattr(settings, name.lower()) == int(value.replace(",", "")), name
