"""Enum values written by a dictionary lookup.

strawberry's `CustomGraphQLEnumType.coerce_output_value` finds an enum member's GraphQL name
by scanning every value of the enum, on every enum field of every object, and a page of
profiles writes many of them (bench/README.md). This
subclass answers from a dictionary built once per type and falls back to strawberry's scan for
anything the dictionary does not hold, so every value serialises exactly as before."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.schema.schema_converter import CustomGraphQLEnumType


class DictEnumType(CustomGraphQLEnumType):
    _names: dict[Any, str]

    def coerce_output_value(self, output_value: Any) -> str:
        if isinstance(output_value, self.wrapped_cls):
            names = self.__dict__.get("_names")
            if names is None:
                names = self._names = {v.value: name for name, v in self.values.items()}
            try:
                return names[output_value.value]
            except (KeyError, TypeError):  # unhashable or unknown: strawberry decides
                pass
        return super().coerce_output_value(output_value)


def use_dict_enums(schema: strawberry.Schema) -> None:
    """Switch the schema's enum types to `DictEnumType` (same data, same behaviour)."""
    for graphql_type in schema._schema.type_map.values():
        if type(graphql_type) is CustomGraphQLEnumType:
            graphql_type.__class__ = DictEnumType
