"""SQLModel tables, one module per aggregate. Importing this package registers them all."""

from .account import Account
from .dead_letter import ConsumerFailure, DeadLetter
from .document import DocumentType, SupportingDocument
from .evaluation import Evaluation
from .history import AuditEntry, StatusChange
from .idempotency import IdempotencyKey
from .outbox import OutboxMessage
from .persisted_operation import PersistedOperation
from .policy import Policy
from .product import PhoneNumber, ProductPhoneNumber, TrustProduct
from .profile import AuthorizedRepresentative, CustomerProfile
from .purge import PurgeRun
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
    "DocumentType",
    "Evaluation",
    "IdempotencyKey",
    "InboxMessage",
    "OutboxMessage",
    "PersistedOperation",
    "PhoneNumber",
    "Policy",
    "ProductPhoneNumber",
    "PurgeRun",
    "RepresentativeVerification",
    "Review",
    "StatusChange",
    "SupportingDocument",
    "TrustProduct",
]
