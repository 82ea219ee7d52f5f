"""SHAKEN/STIR attestation of a calling number, by DESIGN.md's rule (pure: the service gathers
the facts from the caller's account).

- A (full): the number is assigned to an APPROVED BUSINESS customer profile and to an APPROVED
  SHAKEN_STIR trust product of that same profile (`customer_profile_sid` == the profile's `sid`).
  This is checked first: a number registered that way gets A even if the account's primary
  profile has since lost its approval, because the rule ties A to the number's own profile.
- B (partial): the account has an APPROVED PRIMARY BUSINESS profile and an APPROVED SHAKEN_STIR
  product, but the number is not registered as A requires (an ISV's end customer's number with
  no secondary profile of its own, for instance).
- C (gateway): anything else.

Each reason says why, and for B and C what would raise the level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .enums import ProfileKind, Status
from .products import TrustProductKind


class AttestationLevel(StrEnum):
    A = "A"
    B = "B"
    C = "C"


@dataclass(frozen=True)
class AttestationFacts:
    phone_number: str
    # The customer profile the number is assigned to in the caller's account (row dict), or None.
    profile: Mapping[str, Any] | None
    # The SHAKEN_STIR trust product the number is assigned to (row dict), or None.
    shaken_product: Mapping[str, Any] | None
    # The account has an APPROVED PRIMARY BUSINESS profile.
    has_approved_primary: bool
    # The account has an APPROVED SHAKEN_STIR product.
    has_approved_shaken: bool


@dataclass(frozen=True)
class Attestation:
    level: AttestationLevel
    reason: str


def attest(facts: AttestationFacts) -> Attestation:
    """The attestation a call from `facts.phone_number` gets, and why."""
    number = facts.phone_number
    gaps = registration_gaps(facts)
    if not gaps:
        product_sid = facts.shaken_product["sid"] if facts.shaken_product else None
        profile_sid = facts.profile["sid"] if facts.profile else None
        return Attestation(
            AttestationLevel.A,
            f"{number} is assigned to the approved business profile {profile_sid} and to its "
            f"approved SHAKEN/STIR product {product_sid}.",
        )
    why = "; ".join(gaps)
    for_a = (
        f"assign {number} to an approved business profile and to an approved SHAKEN/STIR "
        "product of that same profile"
    )
    if facts.has_approved_primary and facts.has_approved_shaken:
        return Attestation(
            AttestationLevel.B,
            "The account has an approved primary business profile and an approved SHAKEN/STIR "
            f"product, but {why}. For A attestation, {for_a}.",
        )
    missing = [
        thing
        for present, thing in (
            (facts.has_approved_primary, "primary business profile"),
            (facts.has_approved_shaken, "SHAKEN/STIR product"),
        )
        if not present
    ]
    return Attestation(
        AttestationLevel.C,
        f"The account has no approved {' and no approved '.join(missing)}, and {why}. "
        f"Get a {' and a '.join(missing)} approved for B attestation; for A, also {for_a}.",
    )


def registration_gaps(facts: AttestationFacts) -> list[str]:
    """What keeps the number from A attestation, as clauses; empty when it gets A."""
    number, profile, product = facts.phone_number, facts.profile, facts.shaken_product
    gaps: list[str] = []
    if profile is None and product is None:
        return [f"{number} is assigned to neither a customer profile nor a SHAKEN/STIR product"]
    if profile is None:
        gaps.append(f"{number} is not assigned to any customer profile")
    else:
        sid, status = profile.get("sid"), profile.get("status")
        if status != Status.APPROVED:
            gaps.append(f"{number}'s customer profile {sid} is {status}, not APPROVED")
        if profile.get("kind") != ProfileKind.BUSINESS:
            gaps.append(f"{number}'s customer profile {sid} is not a business profile")
    if product is None or product.get("kind") != TrustProductKind.SHAKEN_STIR:
        gaps.append(f"{number} is not assigned to a SHAKEN/STIR product")
        return gaps
    sid, status = product.get("sid"), product.get("status")
    if status != Status.APPROVED:
        gaps.append(f"{number}'s SHAKEN/STIR product {sid} is {status}, not APPROVED")
    owner = product.get("customer_profile_sid")
    if profile is not None and owner != profile.get("sid"):
        gaps.append(
            f"{number}'s SHAKEN/STIR product {sid} belongs to customer profile {owner}, "
            f"not to {profile.get('sid')}, the profile {number} is assigned to"
        )
    return gaps
