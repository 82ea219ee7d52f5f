"""`vet_product`: the automated reviewer's checks on a submitted trust product.

Inputs are `model_dump()` rows: the product, its customer profile, the profile's other products.
As `vet_profile`: REJECTED with every reason found, else ESCALATED when a threshold below says a
person must look, else APPROVED; on a sandbox account a magic friendly name decides instead.

Checks, and the reason code a failure carries:
- every kind (OTHER): the customer profile is APPROVED and BUSINESS; a valid notification email.
- A2P_MESSAGING (OTHER): company type, brand contact email and daily volume present; PUBLIC needs
  stock exchange and ticker, other types must not give them. Plausibility against the profile:
  NON_PROFIT needs business type NON_PROFIT_CORPORATION or industry NOT_FOR_PROFIT; GOVERNMENT
  needs industry GOVERNMENT (no business type is a government entity, so the industry is the only
  evidence); PUBLIC is refused for a sole proprietorship or non-profit corporation, which issue no
  stock (publicly traded partnerships exist). The brand contact email is not at a free mailbox
  provider and is at the website's registrable domain, subdomains included (EMAIL_DOMAIN).
- CNAM and BRANDED_CALLING display names (BUSINESS_NAME_WEBSITE): not generic or misleading
  (`GENERIC_DISPLAY_NAMES`, no letters, an `AUTHORITY_WORDS` authority the legal name doesn't
  contain) and naming the business: a significant word of its legal or profile friendly name
  (legal forms and trade nouns such as "services" don't count), an abbreviation, or initials.
- BRANDED_CALLING: the long display name contains the display name or a significant word of the
  legal name (BUSINESS_NAME_WEBSITE); call purpose and reason present, and an APPROVED
  VOICE_INTEGRITY product on the same profile among the siblings (OTHER).
- VOICE_INTEGRITY (OTHER): use case present; at least one employee; at most
  `MAX_CALLS_PER_EMPLOYEE_PER_DAY` calls a day per employee: an agent on a dialer places a few
  hundred calls in a business day, so a thousand per head means robocalling.
Escalated: A2P brands declaring more than `A2P_ESCALATE_DAILY_MESSAGES` a day, and voice integrity
for `VI_ESCALATE_USE_CASES` (collections, sales and marketing: what carriers' analytics flag most).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..enums import BusinessIndustry, BusinessType, ProfileKind, ReasonCode, Status
from ..products import ALL_PRODUCT_FIELDS, A2PCompanyType, CallUseCase, TrustProductKind
from .contact import (
    FREE_MAIL_DOMAINS,
    email_domain,
    email_problem,
    registrable_domain,
    website_host,
    website_problem,
)
from .model import Path, Reason, Verdict, VettingResult
from .sandbox import sandbox_outcome

A2P_ESCALATE_DAILY_MESSAGES = 100_000
VI_ESCALATE_USE_CASES = frozenset({CallUseCase.COLLECTIONS, CallUseCase.SALES_AND_MARKETING})
MAX_CALLS_PER_EMPLOYEE_PER_DAY = 1_000

# Display names that identify nobody, or that callers read as a bank, an authority or a warning.
GENERIC_DISPLAY_NAMES = frozenset(
    {"anonymous", "bank", "blocked", "caller", "caller id", "cell phone", "customer service",
     "fraud alert", "fraud department", "government", "info", "irs", "name unavailable",
     "no caller id", "no name", "out of area", "police", "private", "private caller",
     "restricted", "scam likely", "spam", "spam risk", "support", "telemarketer", "test",
     "toll free", "unavailable", "unknown", "unknown caller", "wireless caller"}
)  # fmt: skip
# Authorities a caller must not pose as, unless the legal name shows the business is one.
AUTHORITY_WORDS = frozenset(
    {"cia", "court", "dea", "dhs", "fbi", "hmrc", "interpol", "irs", "medicaid", "medicare",
     "police", "sheriff", "ssa", "uscis", "warrant"}
)  # fmt: skip
_LEGAL_FORMS = frozenset(
    {"ag", "bv", "co", "corp", "corporation", "gmbh", "inc", "incorporated", "limited", "llc",
     "llp", "lp", "ltd", "nv", "plc", "pty", "sa", "sarl", "sas"}
)  # fmt: skip
_CONNECTIVES = frozenset({"and", "the", "of", "for", "a", "an", "at", "de"})
# Words that don't tell one business from another: legal forms, connectives, trade nouns.
_NOT_SIGNIFICANT = _LEGAL_FORMS | _CONNECTIVES | frozenset(
    {"america", "american", "associates", "business", "center", "communications", "company",
     "consulting", "enterprises", "global", "group", "holdings", "industries", "international",
     "management", "national", "partners", "services", "solutions", "systems", "technologies",
     "technology", "us", "usa"}
)  # fmt: skip
_WORD_RE = re.compile(r"[a-z0-9]+(?:[&'.][a-z0-9]+)*")

_PROFILE: Path = ("customerProfileId",)
# GraphQL path of each typed column, from the field specs the API writes through.
_PATHS: dict[str, Path] = {spec.column: spec.path for spec in ALL_PRODUCT_FIELDS.values()}
# Columns a submitted product must have (display names and employee count: their own checks).
_REQUIRED: dict[str, tuple[str, ...]] = {
    TrustProductKind.A2P_MESSAGING: (
        "a2p_company_type", "a2p_brand_contact_email", "a2p_daily_message_volume"
    ),
    TrustProductKind.VOICE_INTEGRITY: ("vi_use_case", "vi_daily_call_volume"),
    TrustProductKind.BRANDED_CALLING: ("bc_long_display_name", "bc_call_purpose", "bc_call_reason"),
}  # fmt: skip
_DISPLAY_FIELDS: dict[str, Path] = {
    TrustProductKind.CNAM: ("cnam", "displayName"),
    TrustProductKind.BRANDED_CALLING: ("brandedCalling", "displayName"),
}


def vet_product(
    product: Mapping[str, Any],
    customer_profile: Mapping[str, Any],
    sibling_products: Sequence[Mapping[str, Any]] = (),
    *,
    sandbox: bool = False,
) -> VettingResult:
    """Reject with every reason found; otherwise escalate when a threshold says a person must
    look; otherwise approve. On a sandbox account a magic friendly name decides instead."""
    if sandbox:
        forced = sandbox_outcome(product.get("friendly_name"))
        if forced is not None:
            return _for_product(forced, str(product.get("kind")))
    reasons = tuple(_reasons(product, customer_profile, sibling_products))
    if reasons:
        return VettingResult(Verdict.REJECTED, reasons)
    why = product_escalation_reason(product)
    if why is not None:
        return VettingResult(Verdict.ESCALATED, (), why)
    return VettingResult(Verdict.APPROVED, ())


def product_escalation_reason(product: Mapping[str, Any]) -> str | None:
    """Why a person must review this otherwise clean product, or None."""
    kind = product.get("kind")
    volume = product.get("a2p_daily_message_volume")
    if kind == TrustProductKind.A2P_MESSAGING and (volume or 0) > A2P_ESCALATE_DAILY_MESSAGES:
        return (
            f"A2P brands declaring more than {A2P_ESCALATE_DAILY_MESSAGES:,} messages a day "
            f"({volume:,} declared) are reviewed by a person."
        )
    use_case = product.get("vi_use_case")
    if kind == TrustProductKind.VOICE_INTEGRITY and use_case in VI_ESCALATE_USE_CASES:
        return f"Voice integrity for the {use_case} use case is reviewed by a person."
    return None


def _for_product(forced: VettingResult, kind: str) -> VettingResult:
    """A forced rejection points at the product field a real one would, not at profile fields."""
    return replace(
        forced,
        reasons=tuple(replace(r, field=_sandbox_field(r.code, kind)) for r in forced.reasons),
    )


def _sandbox_field(code: ReasonCode, kind: str) -> Path:
    if code is ReasonCode.OTHER:
        return ()
    if code is ReasonCode.BUSINESS_NAME_WEBSITE and kind in _DISPLAY_FIELDS:
        return _DISPLAY_FIELDS[kind]
    if code is ReasonCode.EMAIL_DOMAIN:
        if kind == TrustProductKind.A2P_MESSAGING:
            return ("a2pMessaging", "brandContactEmail")
        return ("notificationEmail",)
    # Registration, address and representatives are the customer profile's.
    return _PROFILE


def _reasons(
    product: Mapping[str, Any],
    profile: Mapping[str, Any],
    siblings: Sequence[Mapping[str, Any]],
) -> Iterator[Reason]:
    yield from _profile_reasons(profile)
    problem = email_problem(product.get("notification_email"))
    if problem:
        yield Reason(ReasonCode.OTHER, ("notificationEmail",), problem)
    kind = product.get("kind")
    yield from _required(product, _REQUIRED.get(str(kind), ()))
    if kind == TrustProductKind.SHAKEN_STIR:
        return
    if kind == TrustProductKind.A2P_MESSAGING:
        yield from _a2p_reasons(product, profile)
    elif kind == TrustProductKind.CNAM:
        yield from display_name_reasons(
            product.get("cnam_display_name"), profile, _DISPLAY_FIELDS[kind]
        )
    elif kind == TrustProductKind.VOICE_INTEGRITY:
        yield from _voice_integrity_reasons(product)
    elif kind == TrustProductKind.BRANDED_CALLING:
        yield from _branded_calling_reasons(product, profile, siblings)
    else:
        yield Reason(ReasonCode.OTHER, ("kind",), f"Unknown trust product kind {kind!r}.")


def _profile_reasons(profile: Mapping[str, Any]) -> Iterator[Reason]:
    for column, wanted in (("status", Status.APPROVED), ("kind", ProfileKind.BUSINESS)):
        if profile.get(column) != wanted:
            message = (
                f"The customer profile is {profile.get(column)}; trust products need {wanted}."
            )
            yield Reason(ReasonCode.OTHER, _PROFILE, message)


def _required(product: Mapping[str, Any], columns: Sequence[str]) -> Iterator[Reason]:
    for column in columns:
        if product.get(column) in (None, ""):
            path = _PATHS[column]
            yield Reason(ReasonCode.OTHER, path, f"{path[-1]} is required.")


# --- A2P messaging ------------------------------------------------------------------------------


def _a2p_reasons(product: Mapping[str, Any], profile: Mapping[str, Any]) -> Iterator[Reason]:
    yield from _company_type_reasons(product, profile)
    email = product.get("a2p_brand_contact_email")
    if email:
        yield from _brand_email_reasons(str(email), profile)


def _company_type_reasons(
    product: Mapping[str, Any], profile: Mapping[str, Any]
) -> Iterator[Reason]:
    company = product.get("a2p_company_type")
    listing = ("a2p_stock_exchange", "a2p_stock_ticker")
    if company == A2PCompanyType.PUBLIC:
        yield from _required(product, listing)
    elif company:
        for column in listing:
            if product.get(column):
                path = _PATHS[column]
                message = f"Only a PUBLIC company has a {path[-1]}, not a {company} one."
                yield Reason(ReasonCode.OTHER, path, message)
    problem = _company_type_problem(company, profile)
    if problem:
        yield Reason(ReasonCode.OTHER, ("a2pMessaging", "companyType"), problem)


def _company_type_problem(company: Any, profile: Mapping[str, Any]) -> str | None:
    business_type, industry = profile.get("business_type"), profile.get("business_industry")
    if company == A2PCompanyType.NON_PROFIT and not (
        business_type == BusinessType.NON_PROFIT_CORPORATION
        or industry == BusinessIndustry.NOT_FOR_PROFIT
    ):
        return (
            "A NON_PROFIT brand needs a customer profile whose business type is "
            "NON_PROFIT_CORPORATION or whose industry is NOT_FOR_PROFIT."
        )
    if company == A2PCompanyType.GOVERNMENT and industry != BusinessIndustry.GOVERNMENT:
        return "A GOVERNMENT brand needs a customer profile in the GOVERNMENT industry."
    if company == A2PCompanyType.PUBLIC and business_type in (
        BusinessType.SOLE_PROPRIETORSHIP,
        BusinessType.NON_PROFIT_CORPORATION,
    ):
        return f"A {business_type} issues no stock, so it cannot be a PUBLIC company."
    return None


def _brand_email_reasons(email: str, profile: Mapping[str, Any]) -> Iterator[Reason]:
    path = ("a2pMessaging", "brandContactEmail")
    problem = email_problem(email)
    if problem:
        yield Reason(ReasonCode.OTHER, path, problem)
        return
    domain = email_domain(email)
    website = _website_domain(profile)
    if domain in FREE_MAIL_DOMAINS:
        message = f"{domain} is a free mailbox provider; use an address at the business's domain."
    elif website is None:
        message = "The customer profile has no website whose domain the email could match."
    elif registrable_domain(domain) != website:
        message = (
            f"The brand contact email must be at the website's domain {website}, not {domain}."
        )
    else:
        return
    yield Reason(ReasonCode.EMAIL_DOMAIN, path, message)


def _website_domain(profile: Mapping[str, Any]) -> str | None:
    url = profile.get("website_url")
    host = website_host(url)
    if host is None or website_problem(url) is not None:
        return None
    return registrable_domain(host)


# --- voice integrity ----------------------------------------------------------------------------


def _voice_integrity_reasons(product: Mapping[str, Any]) -> Iterator[Reason]:
    employees, calls = product.get("vi_employee_count"), product.get("vi_daily_call_volume")
    if not isinstance(employees, int) or employees < 1:
        message = "The business must have at least one employee."
        yield Reason(ReasonCode.OTHER, ("voiceIntegrity", "employeeCount"), message)
    elif isinstance(calls, int) and calls > employees * MAX_CALLS_PER_EMPLOYEE_PER_DAY:
        message = (
            f"{calls:,} calls a day from {employees:,} employees is more than "
            f"{MAX_CALLS_PER_EMPLOYEE_PER_DAY:,} calls per employee per day."
        )
        yield Reason(ReasonCode.OTHER, ("voiceIntegrity", "averageDailyCallVolume"), message)


# --- branded calling ----------------------------------------------------------------------------


def _branded_calling_reasons(
    product: Mapping[str, Any],
    profile: Mapping[str, Any],
    siblings: Sequence[Mapping[str, Any]],
) -> Iterator[Reason]:
    display = product.get("bc_display_name")
    yield from display_name_reasons(
        display, profile, _DISPLAY_FIELDS[TrustProductKind.BRANDED_CALLING]
    )
    long_name = product.get("bc_long_display_name")
    if long_name and not _long_name_related(str(long_name), display, profile):
        yield Reason(
            ReasonCode.BUSINESS_NAME_WEBSITE,
            ("brandedCalling", "longDisplayName"),
            f"{long_name!r} must contain the display name or the business's name.",
        )
    if not any(
        s.get("kind") == TrustProductKind.VOICE_INTEGRITY
        and s.get("status") == Status.APPROVED
        and s.get("customer_profile_sid") == product.get("customer_profile_sid")
        for s in siblings
    ):
        yield Reason(
            ReasonCode.OTHER,
            _PROFILE,
            "Branded calling needs an APPROVED VOICE_INTEGRITY product on the same profile.",
        )


def _long_name_related(long_name: str, display: Any, profile: Mapping[str, Any]) -> bool:
    words = _words(long_name)
    if isinstance(display, str) and _words(display):
        shown = _words(display)
        if any(words[i : i + len(shown)] == shown for i in range(len(words))):
            return True
    return bool(_significant(str(profile.get("legal_name") or "")) & set(words))


# --- display names ------------------------------------------------------------------------------


def display_name_reasons(name: Any, profile: Mapping[str, Any], path: Path) -> Iterator[Reason]:
    """A CNAM or branded calling display name must name this business, not something else."""
    if not isinstance(name, str) or not name.strip():
        yield Reason(ReasonCode.OTHER, path, "The display name is required.")
        return
    problem = generic_name_problem(name, str(profile.get("legal_name") or ""))
    if problem is None and not names_business(name, profile):
        problem = (
            f"{name!r} does not name the business: use a word, abbreviation or initials of "
            f"its legal name {profile.get('legal_name')!r}."
        )
    if problem:
        yield Reason(ReasonCode.BUSINESS_NAME_WEBSITE, path, problem)


def generic_name_problem(name: str, legal_name: str) -> str | None:
    words = _words(name)
    if not words or "".join(words).isdigit():
        return f"{name!r} has no letters; callers must see who is calling."
    if " ".join(words) in GENERIC_DISPLAY_NAMES:
        return f"{name!r} is generic or misleading; callers must see the business's name."
    posing = sorted((set(words) & AUTHORITY_WORDS) - set(_words(legal_name)))
    if posing:
        return (
            f"{name!r} poses as {', '.join(w.upper() for w in posing)}, which the business is not."
        )
    return None


def names_business(name: str, profile: Mapping[str, Any]) -> bool:
    """Whether the display name shares a significant word with the legal or friendly name, or
    abbreviates one (a 3+ letter word that begins it), or is or contains the name's initials."""
    shown = _words(name)
    for source in (profile.get("legal_name"), profile.get("friendly_name")):
        text = str(source or "")
        significant = _significant(text)
        if set(shown) & significant:
            return True
        if any(_abbreviates(w, s) for w in shown for s in significant):
            return True
        initials = _initials(text)
        # Two letters alone are initials; among other words they could be anything.
        if any(i == "".join(shown) or (len(i) >= 3 and i in shown) for i in initials):
            return True
    return False


def _abbreviates(shown: str, word: str) -> bool:
    """`MASS GEN` for Massachusetts General; `ACMETEL` for Acme (run together with a word)."""
    if shown in _NOT_SIGNIFICANT:
        return False
    return (len(shown) >= 3 and word.startswith(shown)) or (
        len(word) >= 4 and shown.startswith(word)
    )


def _words(text: str) -> list[str]:
    """Lower-case words with inner punctuation dropped: `AT&T` → `att`, `O'Neil` → `oneil`."""
    return [re.sub(r"[&'.]", "", w) for w in _WORD_RE.findall(text.lower())]


def _significant(text: str) -> set[str]:
    return {w for w in _words(text) if len(w) >= 2 and w not in _NOT_SIGNIFICANT}


def _initials(text: str) -> set[str]:
    """Initials of the name without its legal form, with and without connectives:
    `Bank of America Corp` → {`boa`, `ba`}. Two letters at least."""
    words = [w for w in _words(text) if w not in _LEGAL_FORMS]
    found = {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in _CONNECTIVES)}
    return {i for i in found if len(i) >= 2}
