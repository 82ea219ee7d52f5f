"""GraphQL enums: the domain's own enum classes, registered with strawberry under the contract's
names. `strawberry.enum` marks a class in place, so the domain and GraphQL share one class; the
descriptions live here, beside the registration, so the domain stays free of GraphQL."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry
from strawberry.types.enum import has_enum_definition

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


def graphql_enum(cls: type[Enum], description: str, values: Mapping[str, str]) -> None:
    """Register `cls` as the GraphQL enum of its name, described, each value with its own
    description (strawberry reads value descriptions only from `enum_value` members, which a
    domain `StrEnum` cannot hold, so they are set on the enum's definition here)."""
    strawberry.enum(cls, name=cls.__name__, description=description)
    assert has_enum_definition(cls)
    for value in cls.__strawberry_definition__.values:
        value.description = values.get(value.name)


graphql_enum(
    Status,
    "Where a customer profile or trust product is in its lifecycle.",
    {
        "DRAFT": "Being filled in; may be incomplete. Editable and deletable.",
        "PENDING_REVIEW": "Submitted and queued for review; locked.",
        "IN_REVIEW": "A reviewer (automated or human) is vetting it; locked.",
        "APPROVED": "Vetted and in force; locked.",
        "REJECTED": "Vetting failed; the reasons say why. Edit and submit again, or delete.",
    },
)
graphql_enum(
    ProfileKind,
    "Whether a customer profile describes a business or a person; chosen at creation.",
    {
        "BUSINESS": "A company or other organisation; needs business information and "
        "authorized representative 1.",
        "INDIVIDUAL": "A person acting on their own behalf; needs individual information.",
    },
)
graphql_enum(
    ProfileTier,
    "Whose identity a customer profile carries.",
    {
        "PRIMARY": "The organisation's own identity.",
        "SECONDARY": "A brand or end customer that an ISV manages; names its primary profile, "
        "which must be APPROVED and an ISV before it can be submitted.",
    },
)
graphql_enum(
    BusinessIdentity,
    "Whether a business uses the platform itself or on behalf of its own customers.",
    {
        "DIRECT_CUSTOMER": "The business communicates with its own customers.",
        "ISV_RESELLER_OR_PARTNER": "The business resells or builds on the platform for end "
        "customers, whom it registers as SECONDARY profiles.",
    },
)
graphql_enum(
    BusinessType,
    "The legal form of a business.",
    {
        "SOLE_PROPRIETORSHIP": "Owned and run by one person, not a separate legal entity.",
        "PARTNERSHIP": "Owned by two or more partners.",
        "LIMITED_LIABILITY_CORPORATION": "A limited liability company (LLC, Ltd, GmbH…).",
        "CO_OPERATIVE": "Owned and run by its members.",
        "NON_PROFIT_CORPORATION": "A corporation that does not distribute profits (charity, "
        "foundation, association).",
        "CORPORATION": "A company owned by shareholders (Inc, Corp, PLC, AG…).",
    },
)
graphql_enum(
    BusinessIndustry,
    "The industry a business is in (the values Twilio lists).",
    {
        "AGRICULTURE": "Farming, forestry and fishing.",
        "AUTOMOTIVE": "Vehicles, parts, dealers and repair.",
        "BANKING": "Banks and credit unions.",
        "CONSUMER": "Consumer products and services.",
        "EDUCATION": "Schools, universities and training.",
        "ELECTRONICS": "Electronic devices and components.",
        "ENERGY": "Power generation, utilities and renewables.",
        "ENGINEERING": "Engineering and construction services.",
        "FAST_MOVING_CONSUMER_GOODS": "Everyday packaged goods sold quickly at low cost.",
        "FINANCIAL": "Financial services other than banking: lending, investment, payments.",
        "FINTECH": "Financial technology.",
        "FOOD_AND_BEVERAGE": "Food and drink producers and restaurants.",
        "GOVERNMENT": "Government bodies and public agencies.",
        "HEALTHCARE": "Healthcare providers, pharmacies and medical services.",
        "HOSPITALITY": "Hotels, lodging and leisure.",
        "INSURANCE": "Insurers and brokers.",
        "JEWELRY": "Jewellery makers and sellers.",
        "LEGAL": "Law firms and legal services.",
        "MANUFACTURING": "Manufacturing and industrial production.",
        "MEDIA": "Publishing, broadcasting and entertainment.",
        "NOT_FOR_PROFIT": "Charities and other not-for-profit organisations.",
        "OIL_AND_GAS": "Oil and gas exploration, production and distribution.",
        "ONLINE": "Online services, e-commerce and marketplaces.",
        "RAW_MATERIALS": "Mining, metals, chemicals and other raw materials.",
        "REAL_ESTATE": "Property sales, letting and management.",
        "RELIGION": "Religious organisations.",
        "RETAIL": "Shops and retail chains.",
        "TECHNOLOGY": "Software, hardware and IT services.",
        "TELECOMMUNICATIONS": "Carriers, communications platforms and telecom services.",
        "TRANSPORTATION": "Logistics, shipping and passenger transport.",
        "TRAVEL": "Travel agencies, airlines and tourism.",
    },
)
graphql_enum(
    RegistrationIdType,
    "The kind of business registration number; the automated reviewer checks its format.",
    {
        "EIN": "US Employer Identification Number: 9 digits, as 12-3456789.",
        "CBN": "Canadian Business Number: 9 digits, optionally with a program account (RT0001).",
        "CN": "Company number from a companies register (UK: 8 characters, as 01234567).",
        "ACN": "Australian Company Number: 9 digits with a check digit.",
        "CIN": "Indian Corporate Identity Number: 21 characters.",
        "VAT": "VAT number, with its country prefix (EU, UK, CH, NO formats checked).",
        "VATRN": "Tax registration number (VAT registration outside the EU, e.g. TRN).",
        "RN": "Another national registration number.",
        "DUNS": "Dun & Bradstreet D-U-N-S number: 9 digits.",
        "OTHER": "Any other registration number: 2 to 40 letters and digits.",
    },
)
graphql_enum(
    Region,
    "A region a business operates in.",
    {
        "AFRICA": "Africa.",
        "ASIA": "Asia.",
        "AUSTRALIA": "Australia and Oceania.",
        "EUROPE": "Europe.",
        "LATIN_AMERICA": "Central and South America and the Caribbean.",
        "USA_AND_CANADA": "The United States and Canada.",
    },
)
graphql_enum(
    JobPosition,
    "The position of an authorized representative in the business.",
    {
        "DIRECTOR": "Director.",
        "GM": "General manager.",
        "VP": "Vice president.",
        "CEO": "Chief executive officer.",
        "CFO": "Chief financial officer.",
        "GENERAL_COUNSEL": "General counsel (chief legal officer).",
        "OTHER": "Another position; businessTitle says which.",
    },
)
graphql_enum(
    EvaluationStatus,
    "Whether a subject meets its policy.",
    {
        "COMPLIANT": "Every requirement passed: the subject can be submitted.",
        "NONCOMPLIANT": "At least one requirement failed; the failures say what to fix.",
    },
)
graphql_enum(
    ReasonCode,
    "The category of a review's rejection reason (the industry's categories).",
    {
        "BUSINESS_NAME_WEBSITE": "The business name and the website do not belong together.",
        "BUSINESS_REGISTRATION_ID": "The registration number is invalid or not the business's.",
        "ADDRESS": "The address is invalid or does not match the business.",
        "AUTHORIZED_REPRESENTATIVE_1": "Representative 1 is missing, invalid or unreachable.",
        "AUTHORIZED_REPRESENTATIVE_2": "Representative 2 is invalid or unreachable.",
        "EMAIL_DOMAIN": "An email address is not at the business's own domain.",
        "OTHER": "Anything else; the message explains.",
    },
)
