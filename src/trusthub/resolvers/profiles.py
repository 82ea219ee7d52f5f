"""Customer profile queries and mutations."""

from __future__ import annotations

import strawberry

from .. import models
from ..domain.enums import ProfileKind, ProfileTier, Status
from ..domain.errors import DomainError
from ..schema import inputs as i
from ..schema import types as t
from ..schema.context import Info
from ..schema.errors import UserError
from ..services import evaluations, profiles, purge, representatives, revisions
from .common import ClientError, page_size, perform

_CREATE_SKIP = frozenset({"kind", "tier", "primary_profile_id"})


async def _visible_profile(info: Info, sid: str) -> t.CustomerProfile | None:
    row = await info.context.loaders.profile.load(sid)
    if row is None or not info.context.can_see(row.account_sid):
        return None
    return t.CustomerProfile.from_row(row)


@strawberry.type
class ProfileQuery:
    @strawberry.field
    async def customer_profile(self, info: Info, id: strawberry.ID) -> t.CustomerProfile | None:
        return await _visible_profile(info, str(id))

    @strawberry.field
    async def customer_profiles(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: i.CustomerProfileFilter | None = None,
    ) -> t.CustomerProfileConnection:
        size = page_size(info, first)
        flt = filter or i.CustomerProfileFilter()
        criteria = profiles.ProfileFilter(
            status=Status(flt.status) if flt.status else None,
            kind=ProfileKind(flt.kind) if flt.kind else None,
            tier=ProfileTier(flt.tier) if flt.tier else None,
            friendly_name=flt.friendly_name,
        )
        async with info.context.sessions() as session:
            try:
                page = await profiles.list_profiles(
                    session, info.context.actor, criteria, size, after
                )
            except DomainError as exc:
                raise ClientError(exc.errors[0].message) from None
        edges = [
            t.CustomerProfileEdge(cursor=c, node=t.CustomerProfile.from_row(r))
            for r, c in zip(page.rows, page.cursors, strict=True)
        ]
        return t.CustomerProfileConnection(
            edges=edges,
            page_info=t.PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total_count,
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
    @strawberry.mutation
    async def create_customer_profile(
        self, info: Info, input: i.CreateCustomerProfileInput
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

    @strawberry.mutation
    async def update_customer_profile(
        self, info: Info, input: i.UpdateCustomerProfileInput
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
    async def revise_customer_profile(
        self, info: Info, id: strawberry.ID
    ) -> t.CustomerProfilePayload:
        row, errors = await perform(info, lambda s, a: revisions.revise_profile(s, a, str(id)))
        return _profile_payload(row, errors)

    @strawberry.mutation(
        description="Admins: replace this profile's personal data (its and its representatives' "
        "names, emails, phone numbers, registration number, and what history, reviews and "
        'the delivery log quote of it) with "[purged]" now, on a data subject\'s request. '
        "LOCKED while it or a revision of it is under review."
    )
    async def redact_customer_profile(
        self, info: Info, id: strawberry.ID
    ) -> t.CustomerProfilePayload:
        row, errors = await perform(info, lambda s, a: purge.redact_profile(s, a, str(id)))
        return _profile_payload(row, errors)

    @strawberry.mutation
    async def delete_customer_profile(self, info: Info, id: strawberry.ID) -> t.DeletePayload:
        sid, errors = await perform(info, lambda s, a: profiles.delete_profile(s, a, str(id)))
        return t.DeletePayload(deleted_id=strawberry.ID(sid) if sid else None, user_errors=errors)

    @strawberry.mutation
    async def add_authorized_representative(
        self, info: Info, input: i.AddAuthorizedRepresentativeInput
    ) -> t.CustomerProfilePayload:
        changes = i.to_changes(input, skip=frozenset({"profile_id", "position"}))
        row, errors = await perform(
            info,
            lambda s, a: representatives.add_representative(
                s, a, str(input.profile_id), input.position, changes
            ),
        )
        return _profile_payload(row, errors)

    @strawberry.mutation
    async def update_authorized_representative(
        self, info: Info, input: i.UpdateAuthorizedRepresentativeInput
    ) -> t.CustomerProfilePayload:
        changes = i.to_changes(input, skip=frozenset({"id"}))
        row, errors = await perform(
            info, lambda s, a: representatives.update_representative(s, a, str(input.id), changes)
        )
        return _profile_payload(row, errors)

    @strawberry.mutation
    async def remove_authorized_representative(
        self, info: Info, id: strawberry.ID
    ) -> t.CustomerProfilePayload:
        row, errors = await perform(
            info, lambda s, a: representatives.remove_representative(s, a, str(id))
        )
        return _profile_payload(row, errors)

    @strawberry.mutation
    async def evaluate_customer_profile(self, info: Info, id: strawberry.ID) -> t.EvaluationPayload:
        row, errors = await perform(info, lambda s, a: evaluations.evaluate_profile(s, a, str(id)))
        return t.EvaluationPayload(
            evaluation=t.Evaluation.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation
    async def submit_customer_profile(
        self, info: Info, input: i.SubmitInput
    ) -> t.CustomerProfilePayload:
        row, errors = await perform(
            info,
            lambda s, a: evaluations.submit_profile(
                s, a, str(input.id), accept_terms=input.accept_terms, settings=info.context.settings
            ),
        )
        return _profile_payload(row, errors)
