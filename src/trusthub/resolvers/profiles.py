"""Customer profile queries and mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from .. import models
from ..domain.enums import ProfileKind, ProfileTier, Status
from ..domain.errors import DomainError
from ..schema import inputs as i
from ..schema import types as t
from ..schema.connections import After, Before, First, Last, PageInfo
from ..schema.context import Info
from ..schema.errors import ClientError, UserError
from ..schema.paging import page_args
from ..services import evaluations, profiles, purge, representatives, revisions, submission
from .common import perform

_CREATE_SKIP = frozenset({"kind", "tier", "primary_profile_id"})

ProfileId = Annotated[strawberry.ID, strawberry.argument(description="The profile's SID (BU…).")]
RepresentativeId = Annotated[
    strawberry.ID, strawberry.argument(description="The representative's SID (IT…).")
]


async def _visible_profile(info: Info, sid: str) -> t.CustomerProfile | None:
    row = await info.context.loaders.profile.load(sid)
    if row is None or not info.context.can_see(row.account_sid):
        return None
    return t.CustomerProfile.from_row(row)


@strawberry.type
class ProfileQuery:
    @strawberry.field(description="One of your customer profiles; null if none (or not yours).")
    async def customer_profile(self, info: Info, id: ProfileId) -> t.CustomerProfile | None:
        return await _visible_profile(info, str(id))

    @strawberry.field(description="Your customer profiles in creation order (Relay connection).")
    async def customer_profiles(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            i.CustomerProfileFilter | None,
            strawberry.argument(description="Only the profiles that match; all when left out."),
        ] = None,
    ) -> t.CustomerProfileConnection:
        args = page_args(info, first, after, last, before)
        flt = filter or i.CustomerProfileFilter()
        criteria = profiles.ProfileFilter(
            status=Status(flt.status) if flt.status else None,
            kind=ProfileKind(flt.kind) if flt.kind else None,
            tier=ProfileTier(flt.tier) if flt.tier else None,
            friendly_name=flt.friendly_name,
        )
        async with info.context.sessions() as session:
            try:
                page = await profiles.list_profiles(session, info.context.actor, criteria, args)
            except DomainError as exc:
                raise ClientError(exc.errors[0].message) from None
        edges = [
            t.CustomerProfileEdge(cursor=c, node=t.CustomerProfile.from_row(r))
            for r, c in zip(page.rows, page.cursors, strict=True)
        ]
        return t.CustomerProfileConnection(
            edges=edges, page_info=PageInfo.of(page), total_count=page.total_count
        )


def _profile_payload(
    row: models.CustomerProfile | None, errors: list[UserError]
) -> t.CustomerProfilePayload:
    return t.CustomerProfilePayload(
        customer_profile=t.CustomerProfile.from_row(row) if row is not None else None,
        user_errors=errors,
    )


@strawberry.type
class ProfileMutation:
    @strawberry.mutation(
        description="Create a DRAFT profile. Missing values are allowed (evaluation reports "
        "them); malformed ones are refused field by field and nothing is saved."
    )
    async def create_customer_profile(
        self,
        info: Info,
        input: Annotated[
            i.CreateCustomerProfileInput, strawberry.argument(description="The new profile.")
        ],
    ) -> t.CustomerProfilePayload:
        data = profiles.NewProfile(
            kind=ProfileKind(input.kind),
            tier=ProfileTier(input.tier or ProfileTier.PRIMARY),
            primary_profile_sid=str(input.primary_profile_id) if input.primary_profile_id else None,
            changes=i.to_changes(input, skip=_CREATE_SKIP),
        )
        row, errors = await perform(
            info, lambda s, a: profiles.create_profile(s, a, data, settings=info.context.settings)
        )
        return _profile_payload(row, errors)

    @strawberry.mutation(
        description="Change a DRAFT or REJECTED profile; one under review or APPROVED is "
        "LOCKED. A left-out field stays as it is."
    )
    async def update_customer_profile(
        self,
        info: Info,
        input: Annotated[
            i.UpdateCustomerProfileInput,
            strawberry.argument(description="The profile and the fields to change."),
        ],
    ) -> t.CustomerProfilePayload:
        changes = i.to_changes(input, skip=frozenset({"id"}))
        row, errors = await perform(
            info,
            lambda s, a: profiles.update_profile(
                s, a, str(input.id), changes, settings=info.context.settings
            ),
        )
        return _profile_payload(row, errors)

    @strawberry.mutation(
        description="Open a revision of an APPROVED profile: a DRAFT copy of its data and "
        "representatives, edited and submitted like any profile; once approved, it replaces "
        "the approved profile's data."
    )
    async def revise_customer_profile(self, info: Info, id: ProfileId) -> t.CustomerProfilePayload:
        row, errors = await perform(info, lambda s, a: revisions.revise_profile(s, a, str(id)))
        return _profile_payload(row, errors)

    @strawberry.mutation(
        description="Admins: replace this profile's personal data (its and its representatives' "
        "names, emails, phone numbers, registration number, its documents' attributes and file "
        "names, and what history, reviews and the delivery log quote of it) with "
        "\"[purged]\" and delete its documents' files now, on a data subject's request. "
        "LOCKED while it or a revision of it is under review."
    )
    async def redact_customer_profile(self, info: Info, id: ProfileId) -> t.CustomerProfilePayload:
        blobs = info.context.blobs
        row, errors = await perform(
            info, lambda s, a: purge.redact_profile(s, a, str(id), blobs=blobs)
        )
        return _profile_payload(row, errors)

    @strawberry.mutation(
        description="Delete a DRAFT or REJECTED profile (admins: an APPROVED one too) with its "
        "representatives, numbers and draft or rejected products; LOCKED while secondary "
        "profiles or products under review or approved depend on it."
    )
    async def delete_customer_profile(self, info: Info, id: ProfileId) -> t.DeletePayload:
        sid, errors = await perform(info, lambda s, a: profiles.delete_profile(s, a, str(id)))
        return t.DeletePayload(deleted_id=strawberry.ID(sid) if sid else None, user_errors=errors)

    @strawberry.mutation(description="Add representative 1 or 2 to an editable business profile.")
    async def add_authorized_representative(
        self,
        info: Info,
        input: Annotated[
            i.AddAuthorizedRepresentativeInput,
            strawberry.argument(description="The profile, the position and the person."),
        ],
    ) -> t.CustomerProfilePayload:
        changes = i.to_changes(input, skip=frozenset({"profile_id", "position"}))
        row, errors = await perform(
            info,
            lambda s, a: representatives.add_representative(
                s, a, str(input.profile_id), input.position, changes
            ),
        )
        return _profile_payload(row, errors)

    @strawberry.mutation(description="Change a representative of an editable profile.")
    async def update_authorized_representative(
        self,
        info: Info,
        input: Annotated[
            i.UpdateAuthorizedRepresentativeInput,
            strawberry.argument(description="The representative and the fields to change."),
        ],
    ) -> t.CustomerProfilePayload:
        changes = i.to_changes(input, skip=frozenset({"id"}))
        row, errors = await perform(
            info, lambda s, a: representatives.update_representative(s, a, str(input.id), changes)
        )
        return _profile_payload(row, errors)

    @strawberry.mutation(description="Remove a representative from an editable profile.")
    async def remove_authorized_representative(
        self, info: Info, id: RepresentativeId
    ) -> t.CustomerProfilePayload:
        row, errors = await perform(
            info, lambda s, a: representatives.remove_representative(s, a, str(id))
        )
        return _profile_payload(row, errors)

    @strawberry.mutation(
        description="Check a profile against its policy: COMPLIANT, or every failure to fix."
    )
    async def evaluate_customer_profile(self, info: Info, id: ProfileId) -> t.EvaluationPayload:
        row, errors = await perform(info, lambda s, a: evaluations.evaluate_profile(s, a, str(id)))
        return t.EvaluationPayload(
            evaluation=t.Evaluation.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Submit a compliant profile for review (PENDING_REVIEW, then locked); "
        "refused with the failures when noncompliant, or a secondary whose primary is not "
        "APPROVED."
    )
    async def submit_customer_profile(
        self,
        info: Info,
        input: Annotated[
            i.SubmitInput, strawberry.argument(description="The profile and the terms.")
        ],
    ) -> t.CustomerProfilePayload:
        row, errors = await perform(
            info,
            lambda s, a: submission.submit_profile(
                s, a, str(input.id), accept_terms=input.accept_terms, settings=info.context.settings
            ),
        )
        return _profile_payload(row, errors)
