"""Enum values written by a dictionary lookup (`schema/enum_output.py`): every enum of the
schema uses it, and every member is written exactly as strawberry's own scan writes it."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from trusthub.config import Settings
from trusthub.schema.build import build_schema
from trusthub.schema.enum_output import DictEnumType


def enum_types() -> list[DictEnumType]:
    schema = build_schema(Settings())
    found = [t for t in schema._schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)]
    assert found
    return found  # type: ignore[return-value]


def test_every_enum_of_the_schema_uses_the_lookup() -> None:
    assert {type(t) for t in enum_types()} == {DictEnumType}


def test_every_member_is_written_as_strawberry_writes_it() -> None:
    checked = 0
    for enum_type in enum_types():
        for member in enum_type.wrapped_cls:
            expected = CustomGraphQLEnumType.coerce_output_value(enum_type, member)
            assert enum_type.serialize(member) == expected
            checked += 1
    assert checked > 100


def test_a_value_that_is_no_member_is_still_refused() -> None:
    status = next(t for t in enum_types() if t.name == "Status")
    with pytest.raises(GraphQLError):
        status.serialize("NOT_A_STATUS")
