"""The broker topology, declared once as data; both brokers (RabbitMQ and in-process) build it.

```
reviews (direct) ── review.requested ──▶ <ns>.reviews          (quorum)  reviewer workers
                 └─ review.escalated ──▶ <ns>.reviews.manual   (quorum)  manual-review intake
decisions (direct) ─ review.started,
                     decision.made,
                     approval.withdrawn ▶ <ns>.decisions       (quorum)  decision consumer
events (topic) ───── status.# ─────────▶ <ns>.webhooks         (quorum)  notifier
                  ├─ status.*.approved,
                  │  status.*.rejected ─▶ <ns>.emails           (quorum)  notifier
                  └─ status.# ─────────▶ one exclusive queue per gateway (subscriptions)
                     verification.pending ▶ <ns>.emails  (the link to a representative)
                     verification.# ──────▶ each gateway's queue (subscriptions)
retry (direct) ───── delay.<ms> ───────▶ <ns>.retry.<ms> (TTL) ──dead-letter──▶ <ns>.webhooks
                └─── email.delay.<ms> ─▶ <ns>.emails.retry.<ms> (TTL) ─dead-letter─▶ <ns>.emails
dlx (fanout) ──────────────────────────▶ <ns>.dead             (quorum)  dead-letter collector
```
Quorum queues have `x-delivery-limit` (RabbitMQ 3.10 sets no default) and dead-letter
at-least-once to `<ns>.dlx`.

Each channel has delay queues of its own because a queue's arguments (where it dead-letters to)
cannot change once declared: RabbitMQ refuses the re-declaration (PRECONDITION_FAILED). A new
delay or a new channel is a new queue name, never new arguments on an existing one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..domain.retries import delay_queue_for
from .messages import DECISIONS, EVENTS, RETRY, REVIEWS

DLX = "dlx"
# Only decisions are emailed: the emails queue gets no other status event (each would cost the
# broker a quorum-queue write and the notifier a delivery, to be dropped).
EMAILED_STATUSES = ("status.*.approved", "status.*.rejected")
# AMQP's default exchange routes a message to the queue its routing key names: dead-letter
# replays use it to reach the one queue a message died in.
DEFAULT_EXCHANGE = ""


@dataclass(frozen=True)
class ExchangeSpec:
    name: str
    type: str  # direct | topic | fanout


@dataclass(frozen=True)
class QueueSpec:
    name: str
    arguments: dict[str, Any]
    bindings: tuple[tuple[str, str], ...]  # (exchange, routing key)


@dataclass(frozen=True)
class Topology:
    namespace: str = "trusthub"
    delivery_limit: int = 5
    retry_delays_ms: tuple[int, ...] = (
        1_000,
        5_000,
        30_000,
        120_000,
        600_000,
        3_600_000,
        21_600_000,
    )
    exchanges_logical: tuple[tuple[str, str], ...] = field(
        default=(
            (REVIEWS, "direct"),
            (DECISIONS, "direct"),
            (EVENTS, "topic"),
            (RETRY, "direct"),
            (DLX, "fanout"),
        )
    )

    def exchange(self, logical: str) -> str:
        return f"{self.namespace}.{logical}" if logical != DEFAULT_EXCHANGE else DEFAULT_EXCHANGE

    @property
    def reviews(self) -> str:
        return f"{self.namespace}.reviews"

    @property
    def manual_reviews(self) -> str:
        return f"{self.namespace}.reviews.manual"

    @property
    def decisions(self) -> str:
        return f"{self.namespace}.decisions"

    @property
    def webhooks(self) -> str:
        return f"{self.namespace}.webhooks"

    @property
    def emails(self) -> str:
        return f"{self.namespace}.emails"

    @property
    def dead(self) -> str:
        return f"{self.namespace}.dead"

    def dead_lettering_queues(self) -> frozenset[str]:
        """The queues whose messages can end in `<ns>.dead` (and be replayed into)."""
        dlx = self.exchange(DLX)
        return frozenset(
            q.name for q in self.queues() if q.arguments.get("x-dead-letter-exchange") == dlx
        )

    def retry_queue(self, delay_ms: int) -> str:
        """A status callback's delay queue (dead-letters into the webhooks queue)."""
        return f"{self.namespace}.retry.{delay_ms}"

    def email_retry_queue(self, delay_ms: int) -> str:
        """A decision email's delay queue (dead-letters into the emails queue)."""
        return f"{self.namespace}.emails.retry.{delay_ms}"

    def retry_delay_for(self, wanted_ms: int) -> int:
        """The shortest delay queue that waits at least `wanted_ms` (the longest otherwise)."""
        return delay_queue_for(wanted_ms, self.retry_delays_ms)

    def obsolete_bindings(self) -> list[tuple[str, str, str]]:
        """(queue, exchange, routing key) bindings earlier versions declared: a broker that has
        them removes them (declaring never unbinds by itself)."""
        return [(self.emails, self.exchange(EVENTS), "status.#")]

    def exchanges(self) -> list[ExchangeSpec]:
        return [ExchangeSpec(self.exchange(n), t) for n, t in self.exchanges_logical]

    def _quorum(self) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.exchange(DLX),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",  # required by at-least-once dead-lettering
        }

    def queues(self) -> list[QueueSpec]:
        q, e = self._quorum(), self.exchange
        specs = [
            QueueSpec(self.reviews, q, ((e(REVIEWS), "review.requested"),)),
            QueueSpec(self.manual_reviews, q, ((e(REVIEWS), "review.escalated"),)),
            QueueSpec(
                self.decisions,
                q,
                tuple(
                    (e(DECISIONS), key)
                    for key in ("review.started", "decision.made", "approval.withdrawn")
                ),
            ),
            QueueSpec(self.webhooks, q, ((e(EVENTS), "status.#"),)),
            QueueSpec(
                self.emails,
                q,
                (
                    *((e(EVENTS), key) for key in EMAILED_STATUSES),
                    (e(EVENTS), "verification.pending"),
                ),
            ),
            QueueSpec(
                self.dead,
                {"x-queue-type": "quorum"},
                ((e(DLX), ""),),
            ),
        ]
        for delay in self.retry_delays_ms:
            for queue, key, target in (
                (self.retry_queue(delay), f"delay.{delay}", self.webhooks),
                (self.email_retry_queue(delay), f"email.delay.{delay}", self.emails),
            ):
                arguments = {
                    "x-message-ttl": delay,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": target,
                }
                specs.append(QueueSpec(queue, arguments, ((e(RETRY), key),)))
        return specs
