"""GraphQL enums: the domain's own enum classes, registered with strawberry under the contract's
names. `strawberry.enum` marks a class in place, so the domain and GraphQL share one class."""

from __future__ import annotations

import strawberry

from ..domain.enums import BusinessIdentity as BusinessIdentity
from ..domain.enums import BusinessIndustry as BusinessIndustry
from ..domain.enums import BusinessType as BusinessType
from ..domain.enums import EvaluationStatus as EvaluationStatus
from ..domain.enums import JobPosition as JobPosition
from ..domain.enums import ProfileKind as ProfileKind
from ..domain.enums import ProfileTier as ProfileTier
from ..domain.enums import ReasonCode as ReasonCode
from ..domain.enums import Region as Region
from ..domain.enums import RegistrationIdType as RegistrationIdType
from ..domain.enums import Status as Status

for _enum in (
    BusinessIdentity,
    BusinessIndustry,
    BusinessType,
    EvaluationStatus,
    JobPosition,
    ProfileKind,
    ProfileTier,
    ReasonCode,
    Region,
    RegistrationIdType,
    Status,
):
    strawberry.enum(_enum, name=_enum.__name__)
