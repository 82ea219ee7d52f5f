"""Settings: the only place environment variables (and `.env`) are read."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_prefix="", extra="ignore", case_sensitive=False
    )

    database_url: str = Field(
        default="sqlite+aiosqlite:///./trusthub.db",
        description="SQLAlchemy URL; postgresql:// and sqlite:// get their async drivers.",
    )
    broker_url: str = Field(
        default="memory://",
        description="amqp://user:pass@host:5672/vhost for RabbitMQ; memory:// for one process.",
    )
    host: str = Field(default="127.0.0.1", description="Address `trusthub serve` binds to.")
    port: int = Field(default=8000, description="Port `trusthub serve` listens on.")
    dev_mode: bool = Field(
        default=False, description="Unmasked errors, GraphiQL and introspection on."
    )
    graphiql: bool | None = Field(default=None, description="Serve GraphiQL (default: dev_mode).")
    introspection: bool | None = Field(
        default=None, description="Allow introspection queries (default: dev_mode)."
    )
    max_query_depth: int = Field(default=12, description="Deepest selection allowed.")
    max_aliases: int = Field(default=30, description="Most aliases in one document.")
    max_tokens: int = Field(default=2000, description="Most lexer tokens in one document.")
    max_page_size: int = Field(
        default=100, le=100, description="Largest `first` or `last` on connections."
    )
    default_page_size: int = Field(
        default=20, description="Page size when a client gives neither `first` nor `last`."
    )
    terms_version: str = Field(
        default="2026-01-01",
        description="Version of the terms recorded when a profile is submitted.",
    )
    broker_namespace: str = Field(
        default="trusthub", description="Prefix of every exchange and queue name."
    )
    delivery_limit: int = Field(
        default=5, ge=1, description="Deliveries of one message before it is dead-lettered."
    )
    webhook_retry_delays_ms: list[int] = Field(
        default_factory=lambda: [1_000, 5_000, 30_000, 120_000, 600_000],
        description="The delay queues a failed status callback waits in (JSON list, ms).",
    )
    review_sla_hours: float = Field(default=24, gt=0, description="A review's due time.")
    claim_ttl_seconds: int = Field(
        default=1800, gt=0, description="How long a reviewer's claim lasts before it lapses."
    )
    escalate_isv_primary: bool = Field(
        default=True, description="Send every ISV primary profile to a human reviewer."
    )
    escalate_industries: list[str] = Field(
        default_factory=list, description="Industries always reviewed by a human (JSON list)."
    )
    escalate_regions: list[str] = Field(
        default_factory=list, description="Regions of operation always reviewed by a human."
    )
    run_consumers: bool = Field(
        default=True,
        description="`serve` also runs the outbox relay, the decision consumer and the "
        "subscription feed (set false for a pure gateway).",
    )
    smtp_url: str = Field(
        default="smtp://127.0.0.1:25",
        description="smtp://[user:pass@]host:port (smtps:// for TLS); log:// logs emails instead",
    )
    smtp_from: str = Field(
        default="trusthub@localhost", description="Sender of notification email."
    )
    webhook_timeout_seconds: float = Field(default=10, gt=0, description="Status callback timeout.")
    webhook_max_attempts: int = Field(
        default=8, ge=1, description="Attempts of one status callback before it is given up."
    )
    sweep_interval_seconds: float = Field(
        default=60,
        gt=0,
        description="How often the decision consumer's process looks for review requests and "
        "decisions that were sent but never applied.",
    )
    sweep_after_seconds: float = Field(
        default=300,
        ge=0,
        description="A review request or decision not applied this long after it was sent is "
        "sent again (idempotent: consumers apply each message once).",
    )
    sweep_max_resends: int = Field(
        default=3,
        ge=0,
        description="Times the sweeper sends one message again before leaving it to the "
        "dead-letter tools.",
    )
    db_pool_size: int = Field(default=10, description="PostgreSQL connection pool size.")
    heartbeat_file: str | None = Field(
        default=None,
        description="A worker touches this file every few seconds while its broker connection "
        "is up (container health checks read its age).",
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    db_echo: bool = Field(default=False, description="Log every SQL statement.")
    auth_cache_seconds: float = Field(
        default=5,
        ge=0,
        description="How long a gateway remembers an API key's account (0: look it up on every "
        "request); a rotated key keeps working this long.",
    )
    idempotency_key_ttl_hours: float = Field(
        default=24,
        gt=0,
        description="How long an Idempotency-Key and its stored response are kept; a key "
        "reused after that executes again.",
    )
    idempotency_lock_timeout_seconds: float = Field(
        default=300,
        gt=0,
        description="A key still in progress after this long is taken to belong to a request "
        "that died (a crashed gateway) and may be claimed by a retry.",
    )
    bench_baseline: bool = Field(
        default=False,
        description="Mount the hand-written baseline endpoint of the read benchmark "
        "(GET /bench/customer-profiles/{id}; see bench/README.md).",
    )

    @property
    def graphiql_enabled(self) -> bool:
        return self.dev_mode if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.dev_mode if self.introspection is None else self.introspection


def normalize_database_url(url: str) -> str:
    """Give plain URLs their async driver so operators can paste what psql uses."""
    for plain, async_ in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return async_ + url[len(plain) :]
    return url


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    url = normalize_database_url(url)
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :])
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
