"""The editable fields of a customer profile and a representative, written once.

Each field has its GraphQL path (what errors and evaluation failures name), the model attribute
that stores it, and its check. Services turn inputs into column changes with `apply_changes`;
evaluation reads values through the same table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import validators as v
from .callback_urls import CallbackRules, callback_url
from .enums import (
    BusinessIdentity,
    BusinessIndustry,
    BusinessType,
    JobPosition,
    Region,
    RegistrationIdType,
)
from .errors import DomainError, ErrorCode, FieldError

Path = tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    path: Path
    column: str
    check: v.Check
    clearable: bool = True  # an explicit null clears it (drafts may be incomplete)


def _specs(*specs: FieldSpec) -> dict[Path, FieldSpec]:
    return {s.path: s for s in specs}


# `address.region` is checked against the country separately (see `apply_changes`).
PROFILE_FIELDS = _specs(
    FieldSpec(("friendlyName",), "friendly_name", v.text(64), clearable=False),
    FieldSpec(("notificationEmail",), "notification_email", v.email, clearable=False),
    FieldSpec(("statusCallback",), "status_callback", callback_url(CallbackRules())),
    FieldSpec(("business", "legalName"), "legal_name", v.text(255)),
    FieldSpec(("business", "identity"), "business_identity", v.enum_of(BusinessIdentity)),
    FieldSpec(("business", "type"), "business_type", v.enum_of(BusinessType)),
    FieldSpec(("business", "industry"), "business_industry", v.enum_of(BusinessIndustry)),
    FieldSpec(
        ("business", "registrationIdType"),
        "registration_id_type",
        v.enum_of(RegistrationIdType),
    ),
    FieldSpec(("business", "registrationNumber"), "registration_number", v.text(64)),
    FieldSpec(
        ("business", "regionsOfOperation"),
        "regions_of_operation",
        v.list_of(v.enum_of(Region), min_items=1, max_items=len(Region)),
    ),
    FieldSpec(("business", "websiteUrl"), "website_url", v.http_url),
    FieldSpec(
        ("business", "socialMediaProfileUrls"),
        "social_media_profile_urls",
        v.list_of(v.http_url, max_items=10),
    ),
    FieldSpec(("individual", "firstName"), "first_name", v.text(64)),
    FieldSpec(("individual", "lastName"), "last_name", v.text(64)),
    FieldSpec(("individual", "email"), "email", v.email),
    FieldSpec(("individual", "phoneNumber"), "phone_number", v.phone_e164),
    FieldSpec(("address", "street1"), "street1", v.text(128)),
    FieldSpec(("address", "street2"), "street2", v.text(128)),
    FieldSpec(("address", "city"), "city", v.text(64)),
    FieldSpec(("address", "region"), "region", lambda value: value),
    FieldSpec(("address", "postalCode"), "postal_code", v.postal_code),
    FieldSpec(("address", "country"), "country", v.country),
)

REPRESENTATIVE_FIELDS = _specs(
    FieldSpec(("firstName",), "first_name", v.text(64), clearable=False),
    FieldSpec(("lastName",), "last_name", v.text(64), clearable=False),
    FieldSpec(("email",), "email", v.email, clearable=False),
    FieldSpec(("phoneNumber",), "phone_number", v.phone_e164, clearable=False),
    FieldSpec(("businessTitle",), "business_title", v.text(64), clearable=False),
    FieldSpec(("jobPosition",), "job_position", v.enum_of(JobPosition), clearable=False),
)

STATUS_CALLBACK: Path = ("statusCallback",)


def with_callback_rules(
    specs: Mapping[Path, FieldSpec], rules: CallbackRules
) -> dict[Path, FieldSpec]:
    """`specs` with the status callback checked under `rules` (the tables above use the
    strictest rules; the deployment's settings may loosen them)."""
    out = dict(specs)
    if STATUS_CALLBACK in out:
        out[STATUS_CALLBACK] = replace(out[STATUS_CALLBACK], check=callback_url(rules))
    return out


BLOCK_FOR_KIND = {"business": "BUSINESS", "individual": "INDIVIDUAL"}


def apply_changes(
    specs: Mapping[Path, FieldSpec],
    changes: Mapping[Path, Any],
    current: Mapping[str, Any],
    *,
    prefix: Path = (),
) -> dict[str, Any]:
    """Check every given field; return column → new value, or raise all field errors at once.

    `changes` holds only the fields the client sent (a left-out field stays as it is); an
    explicit None clears a clearable field. `current` maps columns to stored values."""
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for path, raw in changes.items():
        spec = specs.get(path)
        where = prefix + path
        if spec is None:
            errors.append(FieldError(ErrorCode.INVALID_VALUE, where, "Unknown field."))
            continue
        if raw is None:
            if spec.clearable:
                out[spec.column] = None
            else:
                errors.append(FieldError(ErrorCode.REQUIRED, where, "This field is required."))
            continue
        try:
            out[spec.column] = spec.check(raw)
        except ValueError as exc:
            errors.append(FieldError(ErrorCode.INVALID_VALUE, where, _sentence(where, exc)))
    if "region" in out or "country" in out:
        _check_region(out, current, errors, prefix)
    if errors:
        raise DomainError(errors)
    return out


def check_value(path: Path, check: v.Check, raw: Any) -> Any:
    """One value outside the field tables (a filter, say), refused the same way."""
    try:
        return check(raw)
    except ValueError as exc:
        error = FieldError(ErrorCode.INVALID_VALUE, path, _sentence(path, exc))
        raise DomainError([error]) from None


def _check_region(
    out: dict[str, Any], current: Mapping[str, Any], errors: list[FieldError], prefix: Path
) -> None:
    if any(e.field == (*prefix, "address", "country") for e in errors):
        return
    country = out["country"] if "country" in out else current.get("country")
    region = out["region"] if "region" in out else current.get("region")
    if region is None:
        return
    where = (*prefix, "address", "region")
    try:
        out["region"] = v.subdivision(region, country)
    except ValueError as exc:
        errors.append(FieldError(ErrorCode.INVALID_VALUE, where, _sentence(where, exc)))


def _sentence(path: Path, exc: ValueError) -> str:
    return f"{'.'.join(path)} {exc}."
