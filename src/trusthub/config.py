"""Settings: the only place environment variables (and `.env`) are read."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from strawberry.http.websocket_origin import normalize_allowed_origins

from .domain.privacy import PersonalDataRetention, decode_key
from .domain.retention import (
    RETENTION_MARGIN,
    Retention,
    shortest_safe_retention,
    webhook_retry_horizon,
)


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
    graphql_fastpath: bool = Field(
        default=True,
        description="Execution shortcuts that rely on strawberry's and graphql-core's internals "
        "(schema/fastpath); off: their own paths only.",
    )
    max_query_depth: int = Field(default=12, description="Deepest selection allowed.")
    max_aliases: int = Field(
        default=30, description="Most aliases in one document, a fragment's at each spread."
    )
    max_selections: int = Field(
        default=5_000,
        ge=1,
        description="Most fields, fragment spreads and inline fragments in one document, a "
        "fragment's counted at each spread of it.",
    )
    max_field_overlaps: int = Field(
        default=2_000,
        ge=0,
        description="Most pairs of fields with the same response name in one selection set, "
        "fragments merged in (a pair of leaf fields counts 1/64): validation compares each.",
    )
    max_tokens: int = Field(default=2000, description="Most lexer tokens in one document.")
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest HTTP request body and WebSocket message on /graphql (413 beyond).",
    )
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
        default_factory=lambda: [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000],
        min_length=1,
        description="The delay queues a failed status callback or email waits in (JSON list, "
        "ms); each is a queue of its own.",
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
    four_eyes_review: bool = Field(
        default=True,
        description="A human approval needs a second, different reviewer to confirm it before "
        "it applies (rejections apply at once).",
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
        default=18,
        ge=1,
        description="Attempts of one status callback before it is given up (with the default "
        "delays: no sooner than 26 h after the first; see README, Status callbacks).",
    )
    webhook_allow_private_networks: bool = Field(
        default=False,
        description="Let status callbacks call loopback, private, link-local and internal "
        "hosts (local development and tests only: otherwise anyone with an account could make "
        "trusthub call its own network).",
    )
    webhook_require_https: bool = Field(
        default=False, description="Accept and call only https:// status callback URLs."
    )
    email_max_attempts: int = Field(
        default=18, ge=1, description="Attempts of one decision email before it is given up."
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
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`json`: one JSON object per line (timestamp, level, logger, message, trace "
        "id, account and subject SIDs); emails, EIN-like numbers and phone numbers are masked "
        "either way.",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="A worker serves GET /metrics on this port (at HOST); unset: no listener. "
        "Gateways always serve /metrics on their own port.",
    )
    db_echo: bool = Field(default=False, description="Log every SQL statement.")
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector base URL (spans go to its /v1/traces); tracing is off "
        "when unset.",
    )
    otel_service_name: str = Field(
        default="trusthub", description="service.name on this process's spans."
    )
    tracing_span_file: str | None = Field(
        default=None,
        description="For tests: append every finished span to this file as a JSON line "
        "(tracing on without a collector).",
    )
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
    max_connections_per_account: int = Field(
        default=100,
        ge=1,
        description="Open WebSocket connections one account may hold on one gateway process; "
        "the next connection_init is closed with 4403.",
    )
    cors_allow_origins: list[str] = Field(
        default_factory=list,
        description="Origins whose pages may call /graphql from a browser (JSON list, e.g. "
        '["https://app.example.com"]; "*" for any): CORS preflights are answered for them, and '
        "WebSocket upgrades from any other page are refused (requests without Origin, from "
        "non-browser clients, are always allowed).",
    )
    batch_max_operations: int = Field(
        default=10,
        ge=0,
        le=100,
        description="Most operations in one batched request (a JSON array), each under the "
        "same limits as alone; 0 refuses batches.",
    )
    persisted_queries_only: bool = Field(
        default=False,
        description="Execute only documents registered with `trusthub operations register`; "
        "any other document is refused.",
    )
    apq_cache_size: int = Field(
        default=1000,
        ge=0,
        description="Documents one gateway process remembers by hash for automatic persisted "
        "queries (0: only registered documents are found by hash).",
    )
    blob_store_url: str = Field(
        default="file://./blobs",
        description="Where supporting documents' bytes are kept: file://DIR (a local directory) "
        "or s3://BUCKET[/PREFIX] (an S3-compatible bucket; see the S3_* settings).",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="Endpoint of an S3-compatible server (http://host:port is allowed); unset "
        "for AWS S3 itself.",
    )
    s3_region: str | None = Field(default=None, description="The bucket's region.")
    s3_access_key_id: str | None = Field(default=None, description="S3 access key ID.")
    s3_secret_access_key: SecretStr | None = Field(default=None, description="S3 secret key.")
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1024,
        description="Largest multipart/form-data request on /graphql (document uploads; "
        "413 beyond). Each document type has its own, smaller file size limit.",
    )
    document_url_ttl_seconds: int = Field(
        default=300,
        gt=0,
        le=86_400,
        description="How long a document's signed download URL (GET /documents/TOKEN) works.",
    )
    document_url_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Key that signs document download URLs; set the same value on every "
        "gateway (default: random per process, so a URL works only on the gateway that made it).",
    )

    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach this gateway from outside (no trailing slash): the "
        "links in representative verification emails are <PUBLIC_BASE_URL>/verify/<token>.",
    )
    rep_verification_ttl_hours: float = Field(
        default=168, gt=0, description="How long a representative verification link works."
    )
    rep_verification_secret: str | None = Field(
        default=None,
        min_length=32,
        description="HMAC key that signs verification links (at least 32 characters; the same "
        "on every gateway and worker). Required with a RabbitMQ broker unless DEV_MODE is on; "
        "otherwise a random one is made per process. Changing it voids the links sent.",
    )
    auto_verify_representatives: bool = Field(
        default=False,
        description="The automated reviewer asks a representative whose email is not at the "
        "website's domain to confirm (holding the review IN_REVIEW) instead of rejecting.",
    )

    # Declared after the webhook settings: their validator reads those (`info.data`).
    outbox_retention_hours: float = Field(
        default=168, gt=0, description="Sent outbox rows older than this are pruned."
    )
    inbox_retention_hours: float = Field(
        default=168, gt=0, description="Processed inbox rows older than this are pruned."
    )
    delivery_attempt_retention_days: float = Field(
        default=30, gt=0, description="Delivery log rows older than this are pruned."
    )
    prune_interval_seconds: float = Field(
        default=600, gt=0, description="How often the `decisions` role prunes those tables."
    )
    prune_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Most rows one pruning statement deletes."
    )

    retention_days_rejected: float = Field(
        default=90,
        gt=0,
        description="Personal data of profiles deleted, or rejected and not resubmitted, is "
        "purged this long after the deletion or the rejection.",
    )
    retention_days_closed: float = Field(
        default=30,
        ge=0,
        description="Personal data of a closed account's profiles is purged this long after "
        "the account was closed (`trusthub accounts close`).",
    )
    purge_interval_hours: float = Field(
        default=24, gt=0, description="How often the `decisions` role purges personal data."
    )
    blob_encryption_keys: dict[str, str] = Field(
        default_factory=dict,
        repr=False,
        description="Key-encryption keys for stored blobs: a JSON map of key id to a base64 "
        "AES key (16, 24 or 32 bytes). Old ids stay to decrypt what they wrapped. Unset: "
        "documents are stored unencrypted (a warning at start).",
    )
    blob_encryption_key_id: str | None = Field(
        default=None,
        description="The id in BLOB_ENCRYPTION_KEYS that wraps new blobs' data keys (unset: "
        "the only key's id).",
    )

    @field_validator(
        "outbox_retention_hours", "inbox_retention_hours", "delivery_attempt_retention_days"
    )
    @classmethod
    def _retention_outlasts_redelivery(cls, value: float, info: ValidationInfo) -> float:
        """A pruned inbox row or delivery attempt can no longer stop a redelivered message from
        taking effect again: refuse a retention shorter than the longest redelivery window.
        (A field validator, not a model one, so that the error shows this value alone.)"""
        webhook = ("webhook_retry_delays_ms", "webhook_max_attempts", "webhook_timeout_seconds")
        if any(name not in info.data for name in webhook):
            return value  # those failed validation themselves, and say so
        delays, attempts, timeout = (info.data[name] for name in webhook)
        # Emails retry through the same delay queues, with their own attempt budget.
        attempts = max(attempts, info.data.get("email_max_attempts", 0))
        horizon = webhook_retry_horizon(delays, attempts, timeout)
        shortest = shortest_safe_retention(horizon)
        name = info.field_name or ""
        retention = timedelta(days=value) if name.endswith("_days") else timedelta(hours=value)
        if retention < shortest:
            raise ValueError(
                f"{name.upper()} must be at least {_hours(shortest)} h: the webhook retry "
                f"horizon ({_hours(horizon)} h, from WEBHOOK_RETRY_DELAYS_MS, "
                f"WEBHOOK_MAX_ATTEMPTS or EMAIL_MAX_ATTEMPTS and WEBHOOK_TIMEOUT_SECONDS) plus a "
                f"{_hours(RETENTION_MARGIN)} h margin, so that no redelivered message outlives "
                f"its bookkeeping; it is {_hours(retention)} h"
            )
        return value

    @field_validator("blob_encryption_keys")
    @classmethod
    def _blob_keys(cls, value: dict[str, str]) -> dict[str, str]:
        """Each key must decode to an AES key, so that a typo fails at start, not at the first
        upload (the message names the id, never the key)."""
        for key_id, key in value.items():
            if not key_id or len(key_id) > 64:
                raise ValueError("BLOB_ENCRYPTION_KEYS: key ids must be 1 to 64 characters")
            if decode_key(key) is None:
                raise ValueError(
                    f"BLOB_ENCRYPTION_KEYS[{key_id!r}] must be base64 of 16, 24 or 32 bytes"
                )
        return value

    @field_validator("blob_encryption_key_id")
    @classmethod
    def _blob_key_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        keys = info.data.get("blob_encryption_keys")
        if value is not None and keys is not None and value not in keys:
            raise ValueError(f"BLOB_ENCRYPTION_KEY_ID {value!r} is not in BLOB_ENCRYPTION_KEYS")
        return value

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        """Each must be an origin as browsers send it (scheme, host, optional port) or "*"."""
        try:
            return sorted(normalize_allowed_origins(value))
        except ValueError as error:
            raise ValueError(f"CORS_ALLOW_ORIGINS: {error}") from None

    @property
    def retention(self) -> Retention:
        return Retention(
            outbox=timedelta(hours=self.outbox_retention_hours),
            inbox=timedelta(hours=self.inbox_retention_hours),
            delivery_attempts=timedelta(days=self.delivery_attempt_retention_days),
            batch=self.prune_batch_size,
        )

    def startup_problem(self) -> str | None:
        """Why a gateway or worker must refuse to start with these settings (one line), or
        None: checked when the process starts, so that a missing secret is not first noticed
        by the representative whose link does not work."""
        if self.rep_verification_secret or self.dev_mode or self.broker_url.startswith("memory://"):
            return None
        return (
            "REP_VERIFICATION_SECRET must be set (32+ characters, the same on every gateway and "
            "worker) when BROKER_URL is not memory:// and DEV_MODE is off."
        )

    def verification_secret(self) -> str:
        """The key verification links are signed with. Without REP_VERIFICATION_SECRET, one
        process (memory:// broker or DEV_MODE) may sign with a random key of its own; several
        processes must share one, so it is required there (`startup_problem`)."""
        if self.rep_verification_secret:
            return self.rep_verification_secret
        problem = self.startup_problem()
        if problem is not None:
            raise RuntimeError(problem)
        return _PROCESS_SECRET

    @property
    def personal_data_retention(self) -> PersonalDataRetention:
        return PersonalDataRetention(
            rejected=timedelta(days=self.retention_days_rejected),
            closed=timedelta(days=self.retention_days_closed),
            batch=self.prune_batch_size,
        )

    @property
    def blob_keys(self) -> dict[str, bytes]:
        """The key-encryption keys, decoded (validated above)."""
        return {k: decode_key(v) or b"" for k, v in self.blob_encryption_keys.items()}

    @property
    def blob_key_id(self) -> str:
        """The id that wraps new blobs: BLOB_ENCRYPTION_KEY_ID, or the only key's id."""
        if self.blob_encryption_key_id is not None:
            return self.blob_encryption_key_id
        if len(self.blob_encryption_keys) == 1:
            return next(iter(self.blob_encryption_keys))
        raise ValueError("BLOB_ENCRYPTION_KEY_ID must name one of BLOB_ENCRYPTION_KEYS")

    @property
    def graphiql_enabled(self) -> bool:
        return self.dev_mode if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.dev_mode if self.introspection is None else self.introspection


_PROCESS_SECRET = secrets.token_urlsafe(32)


def _hours(duration: timedelta) -> str:
    """Hours to one decimal, rounded up (so that the least value allowed, as shown, is)."""
    return f"{math.ceil(duration.total_seconds() / 360) / 10:g}"


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
