"""GraphQL enums: the domain's own enum classes, exposed under the contract's names."""

from __future__ import annotations

import strawberry

from ..domain import enums as d

Status = strawberry.enum(d.Status, name="Status")
ProfileKind = strawberry.enum(d.ProfileKind, name="ProfileKind")
ProfileTier = strawberry.enum(d.ProfileTier, name="ProfileTier")
BusinessIdentity = strawberry.enum(d.BusinessIdentity, name="BusinessIdentity")
BusinessType = strawberry.enum(d.BusinessType, name="BusinessType")
BusinessIndustry = strawberry.enum(d.BusinessIndustry, name="BusinessIndustry")
RegistrationIdType = strawberry.enum(d.RegistrationIdType, name="RegistrationIdType")
Region = strawberry.enum(d.Region, name="Region")
JobPosition = strawberry.enum(d.JobPosition, name="JobPosition")
EvaluationStatus = strawberry.enum(d.EvaluationStatus, name="EvaluationStatus")
ReasonCode = strawberry.enum(d.ReasonCode, name="ReasonCode")
