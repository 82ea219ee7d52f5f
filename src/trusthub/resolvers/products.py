"""Trust product, phone number and attestation queries and mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from .. import models
from ..domain.enums import Status
from ..domain.errors import DomainError
from ..domain.products import TrustProductKind
from ..messaging.messages import ReasonPayload
from ..schema import product_inputs as pi
from ..schema import product_types as pt
from ..schema import types as t
from ..schema.connections import After, Before, First, Last, PageInfo
from ..schema.context import Info
from ..schema.errors import ClientError, UserError
from ..schema.inputs import SubmitInput, to_changes
from ..schema.paging import page_args
from ..schema.types import CustomerProfile
from ..services import attestation, phone_numbers, products, reviews
from .common import perform
from .reviews import ReviewReasonInput

ProductId = Annotated[strawberry.ID, strawberry.argument(description="The product's SID (BU…).")]
NumberInput = Annotated[
    pi.AssignPhoneNumberInput,
    strawberry.argument(description="The number, and the profile or the product."),
]


def _payload(row: models.TrustProduct | None, errors: list[UserError]) -> pt.TrustProductPayload:
    return pt.TrustProductPayload(
        trust_product=pt.TrustProduct.from_row(row) if row else None, user_errors=errors
    )


@strawberry.type
class ProductQuery:
    @strawberry.field(description="One of your trust products; null if none (or not yours).")
    async def trust_product(self, info: Info, id: ProductId) -> pt.TrustProduct | None:
        row = await info.context.loaders.product.load(str(id))
        if row is None or not info.context.can_see(row.account_sid):
            return None
        return pt.TrustProduct.from_row(row)

    @strawberry.field(description="Your trust products in creation order (Relay connection).")
    async def trust_products(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            pi.TrustProductFilter | None,
            strawberry.argument(description="Only the products that match; all when left out."),
        ] = None,
    ) -> pt.TrustProductConnection:
        args = page_args(info, first, after, last, before)
        flt = filter or pi.TrustProductFilter()
        criteria = products.ProductFilter(
            kind=TrustProductKind(flt.kind) if flt.kind else None,
            status=Status(flt.status) if flt.status else None,
            customer_profile_sid=str(flt.customer_profile_id) if flt.customer_profile_id else None,
        )
        try:
            async with info.context.sessions() as session:
                page = await products.list_products(session, info.context.actor, criteria, args)
        except DomainError as exc:
            raise ClientError(exc.errors[0].message) from None
        return pt.TrustProductConnection(
            edges=[
                pt.TrustProductEdge(cursor=c, node=pt.TrustProduct.from_row(r))
                for r, c in zip(page.rows, page.cursors, strict=True)
            ],
            page_info=PageInfo.of(page),
            total_count=page.total_count,
        )

    @strawberry.field(description="The SHAKEN/STIR level a call from this number gets.")
    async def attestation(
        self,
        info: Info,
        phone_number: Annotated[
            str, strawberry.argument(description="The calling number (any common notation).")
        ],
    ) -> pt.Attestation:
        try:
            async with info.context.sessions() as session:
                result = await attestation.attestation_for(
                    session, info.context.actor, phone_number
                )
        except DomainError as exc:
            raise ClientError(exc.errors[0].message) from None
        number, verdict = result
        return pt.Attestation(phone_number=number, level=verdict.level, reason=verdict.reason)


WITHDRAW_DOC = (
    "Reviewers: an APPROVED subject becomes REJECTED (through the decisions queue); a "
    "profile's trust products under review or approved follow it."
)
_BLOCK_SKIP = frozenset({"id", "kind", "customer_profile_id"})


@strawberry.type
class ProductMutation:
    @strawberry.mutation(
        description="Create a DRAFT trust product for one of your customer profiles."
    )
    async def create_trust_product(
        self,
        info: Info,
        input: Annotated[
            pi.CreateTrustProductInput, strawberry.argument(description="The new product.")
        ],
    ) -> pt.TrustProductPayload:
        data = products.NewProduct(
            kind=TrustProductKind(input.kind),
            customer_profile_sid=str(input.customer_profile_id),
            changes=to_changes(input, skip=_BLOCK_SKIP),
        )
        row, errors = await perform(
            info, lambda s, a: products.create_product(s, a, data, settings=info.context.settings)
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description="Change a DRAFT or REJECTED trust product; one under review or APPROVED "
        "is LOCKED."
    )
    async def update_trust_product(
        self,
        info: Info,
        input: Annotated[
            pi.UpdateTrustProductInput,
            strawberry.argument(description="The product and the fields to change."),
        ],
    ) -> pt.TrustProductPayload:
        changes = to_changes(input, skip=_BLOCK_SKIP)
        row, errors = await perform(
            info,
            lambda s, a: products.update_product(
                s, a, str(input.id), changes, settings=info.context.settings
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation(description="Delete a DRAFT or REJECTED trust product.")
    async def delete_trust_product(self, info: Info, id: ProductId) -> t.DeletePayload:
        sid, errors = await perform(info, lambda s, a: products.delete_product(s, a, str(id)))
        return t.DeletePayload(deleted_id=strawberry.ID(sid) if sid else None, user_errors=errors)

    @strawberry.mutation(
        description="Check a product against the policy of its kind: COMPLIANT, or every "
        "failure to fix."
    )
    async def evaluate_trust_product(self, info: Info, id: ProductId) -> t.EvaluationPayload:
        row, errors = await perform(info, lambda s, a: products.evaluate_product(s, a, str(id)))
        return t.EvaluationPayload(
            evaluation=t.Evaluation.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Submit a compliant product for review; refused while its customer "
        "profile is not APPROVED (PROFILE_NOT_APPROVED)."
    )
    async def submit_trust_product(
        self,
        info: Info,
        input: Annotated[SubmitInput, strawberry.argument(description="Product and terms.")],
    ) -> pt.TrustProductPayload:
        row, errors = await perform(
            info,
            lambda s, a: products.submit_product(
                s, a, str(input.id), accept_terms=input.accept_terms, settings=info.context.settings
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation(
        description="Assign a number to a customer profile, then to products of that profile."
    )
    async def assign_phone_number(
        self, info: Info, input: NumberInput
    ) -> pt.PhoneNumberAssignmentPayload:
        return await _numbers(info, input, phone_numbers.assign)

    @strawberry.mutation(
        description="Remove a number from a product, or from a profile and all its products."
    )
    async def unassign_phone_number(
        self, info: Info, input: NumberInput
    ) -> pt.PhoneNumberAssignmentPayload:
        return await _numbers(info, input, phone_numbers.unassign)

    @strawberry.mutation(description=WITHDRAW_DOC)
    async def withdraw_approval(
        self,
        info: Info,
        subject_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The APPROVED customer profile or trust product."),
        ],
        reasons: Annotated[
            list[ReviewReasonInput],
            strawberry.argument(description="Why, for the customer: shown as on a rejection."),
        ],
    ) -> pt.WithdrawApprovalPayload:
        payload = [
            ReasonPayload(code=r.code.value, field=r.field, message=r.message) for r in reasons
        ]
        subject, errors = await perform(
            info, lambda s, a: reviews.withdraw_approval(s, a, str(subject_id), payload)
        )
        return pt.WithdrawApprovalPayload(
            subject_id=strawberry.ID(subject.sid) if subject else None, user_errors=errors
        )


async def _numbers(
    info: Info, input: pi.AssignPhoneNumberInput, action: phone_numbers.NumberAction
) -> pt.PhoneNumberAssignmentPayload:
    profile_sid = str(input.customer_profile_id) if input.customer_profile_id else None
    product_sid = str(input.trust_product_id) if input.trust_product_id else None
    result, errors = await perform(
        info,
        lambda s, a: action(
            s, a, input.phone_number,
            customer_profile_sid=profile_sid, trust_product_sid=product_sid,
        ),
    )  # fmt: skip
    if result is None:
        return pt.PhoneNumberAssignmentPayload(user_errors=errors)
    return pt.PhoneNumberAssignmentPayload(
        phone_number=result.phone_number,
        customer_profile=(
            CustomerProfile.from_row(result.customer_profile) if result.customer_profile else None
        ),
        trust_product=(
            pt.TrustProduct.from_row(result.trust_product) if result.trust_product else None
        ),
    )
