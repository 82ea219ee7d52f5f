"""Automated vetting: the pure checks a reviewer worker runs on a submitted customer profile.

`vet_profile(VettingInput(profile, representatives, sandbox), rules)` returns a `VettingResult`:
`REJECTED` with every `Reason` found (code, GraphQL field path, message); else `ESCALATED` when an
`EscalationRules` rule matches (by default a PRIMARY profile of an ISV_RESELLER_OR_PARTNER); else
`APPROVED`. No I/O: registry look-ups, DNS and mailbox checks are a human reviewer's job.

What is checked, and the reason code a failure carries:
- BUSINESS_REGISTRATION_ID: the number's format for its ID type (`registration`): EIN with an
  IRS-assigned prefix, CBN with its Luhn check digit, ACN with its check digit, VAT by the address
  country (EU, GB/XI, CH, NO; with or without the country prefix, but a prefix from another
  country is refused), VATRN (AE, BH, SA), DUNS, CIN (India), CN (UK company number for GB);
  other types and countries: 2-40 letters and digits. All-same-digit numbers are placeholders.
- BUSINESS_NAME_WEBSITE: a legal name that is not form filler; a website that is an http(s) URL
  on a public domain name: not an IP address, not localhost or a reserved TLD, not a placeholder
  domain such as example.com, not a social network page or link shortener.
- EMAIL_DOMAIN: on a business profile, each representative's email is at the website's
  registrable domain (subdomains match: grace@mail.acme.com for https://www.acme.com) and never
  at a free mailbox provider.
- ADDRESS: street, city and country present; not a PO box; the subdivision (ISO 3166-2, such as
  US-CA) belongs to the country; state/province required for US, CA, AU; postal code format for
  the countries in `address.POSTAL_CODE_FORMATS` (US, CA, GB and others), and for US and CA the
  first character agrees with the state/province.
- AUTHORIZED_REPRESENTATIVE_1/2: #1 present on a business profile; each representative complete,
  with a valid email and a phone number valid for its country; #2 not the same person as #1.
- OTHER: the individual's own details, the notification email, missing business details.

Choices:
- Phone numbers must be valid for the country their calling code belongs to (phonenumbers), not
  in ranges reserved for fiction (NANP 555-0100…0199, Ofcom drama numbers) and not premium-rate.
  A representative's phone country is NOT compared with the address country: representatives of
  international businesses legitimately have foreign numbers, and no KYC scheme we follow asks
  for it; the number is checked for being real, not for being local.
- Registrable domains are approximated (last two labels, three under a ccTLD's co./com./org.…)
  rather than read from the Public Suffix List, which is not a dependency.

Sandbox accounts: `SANDBOX_MAGIC_VALUES` lists friendly-name endings that force an outcome, and
document file-name endings that force a document's rejection or expiry.
"""

from .model import EscalationRules, Reason, Verdict, VettingInput, VettingResult
from .rules import DEFAULT_RULES, escalation_reason, vet_profile
from .sandbox import SANDBOX_MAGIC_VALUES

__all__ = [
    "DEFAULT_RULES",
    "SANDBOX_MAGIC_VALUES",
    "EscalationRules",
    "Reason",
    "Verdict",
    "VettingInput",
    "VettingResult",
    "escalation_reason",
    "vet_profile",
]
