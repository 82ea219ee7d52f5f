"""SQLModel tables, one module per aggregate. Importing this package registers them all."""

from .account import Account
from .dead_letter import ConsumerFailure, DeadLetter
from .evaluation import Evaluation
from .history import AuditEntry, StatusChange
from .idempotency import IdempotencyKey
from .outbox import OutboxMessage
from .policy import Policy
from .product import PhoneNumber, ProductPhoneNumber, TrustProduct
from .profile import AuthorizedRepresentative, CustomerProfile
from .review import DeliveryAttempt, InboxMessage, Review
from .verification import RepresentativeVerification

__all__ = [
    "Account",
    "AuditEntry",
    "AuthorizedRepresentative",
    "ConsumerFailure",
    "CustomerProfile",
    "DeadLetter",
    "DeliveryAttempt",
    "Evaluation",
    "IdempotencyKey",
    "InboxMessage",
    "OutboxMessage",
    "PhoneNumber",
    "Policy",
    "ProductPhoneNumber",
    "RepresentativeVerification",
    "Review",
    "StatusChange",
    "TrustProduct",
]
