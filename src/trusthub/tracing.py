"""OpenTelemetry tracing: one submission is one trace, from the GraphQL operation through the
outbox row, the RabbitMQ message (a W3C `traceparent` header) and the workers, to the decision
and the webhook POST.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or, for tests, TRACING_SPAN_FILE) is set: then no SDK is
loaded and every helper here returns at its first test of `_tracer`, so the read path pays one
attribute lookup. Propagation is explicit (the W3C propagator on our own carriers), and the
provider is this module's own: nothing global is patched."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from .config import Settings
    from .messaging.broker import Outgoing

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_tracer: Tracer | None = None
_provider: TracerProvider | None = None


def configure(settings: Settings) -> None:
    """Install the SDK when an endpoint (or a span file) is configured; otherwise do nothing.
    The OTLP exporter gets the endpoint from us; it still reads its other OTEL_EXPORTER_OTLP_*
    options (headers, timeout, certificates) from the environment itself, as documented."""
    if _tracer is not None or not (
        settings.otel_exporter_otlp_endpoint or settings.tracing_span_file
    ):
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource({"service.name": settings.otel_service_name}))
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The variable names the collector's base URL; the signal's path is appended (as the
        # SDK does when it reads the variable itself).
        url = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    if settings.tracing_span_file:
        from .tracing_file import SpanFileExporter

        # Tests read the file while the process runs: written span by span.
        provider.add_span_processor(
            SimpleSpanProcessor(SpanFileExporter(settings.tracing_span_file))
        )
    use_provider(provider)


def use_provider(provider: TracerProvider | None) -> None:
    """Trace to `provider` from now on (None: tracing off). Tests pass one with an in-memory
    exporter."""
    global _tracer, _provider
    _provider = provider
    _tracer = None if provider is None else provider.get_tracer("trusthub")


def shutdown() -> None:
    """Flush the spans still queued (a stopping process must not drop its last ones)."""
    if _provider is not None:
        _provider.shutdown()
    use_provider(None)


# -- propagation ------------------------------------------------------------------------------


def current_traceparent() -> str | None:
    """The active span's context as a W3C `traceparent` (None when nothing is traced): stored
    with an outbox row so that the message continues the trace that wrote it."""
    if _tracer is None:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def outgoing_headers() -> dict[str, str]:
    """Headers that carry the active context to an HTTP receiver (empty when off)."""
    if _tracer is None:
        return {}
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier


def context_of(headers: Mapping[str, Any] | None) -> Context | None:
    """The remote context in `headers` (HTTP or AMQP), or None if they carry none."""
    if not headers:
        return None
    value = headers.get(TRACEPARENT)
    if isinstance(value, bytes):  # AMQP header values may arrive as bytes
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    context = _PROPAGATOR.extract({TRACEPARENT: value})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def capture() -> Context | None:
    """The active context, to resume later in another task (None when off)."""
    return None if _tracer is None else otel_context.get_current()


@contextlib.contextmanager
def within(captured: Context | None) -> Iterator[None]:
    """Run the block in a context `capture()` returned (as is, when it is None)."""
    if captured is None:
        yield
        return
    token = otel_context.attach(captured)
    try:
        yield
    finally:
        otel_context.detach(token)


# -- spans ------------------------------------------------------------------------------------


@contextlib.contextmanager
def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: Context | None = None,
    links: Sequence[Link] = (),
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[Span | None]:
    """A span made current for the block (None when tracing is off). `parent` continues a
    remote context; without it the active span is the parent."""
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span(
        name, context=parent, kind=kind, links=links, attributes=attributes
    ) as current:
        yield current


@contextlib.contextmanager
def operation_span(headers: Mapping[str, Any], operation_name: str | None) -> Iterator[None]:
    """The SERVER span of one GraphQL operation over HTTP, continuing the caller's trace when
    the request carries a `traceparent`; the outbox rows it writes take its context."""
    if _tracer is None:
        yield
        return
    with _tracer.start_as_current_span(
        f"graphql {operation_name}" if operation_name else "graphql",
        context=context_of(headers),
        kind=SpanKind.SERVER,
        attributes={"graphql.operation.name": operation_name or ""},
    ):
        yield


@contextlib.contextmanager
def consumer_span(
    queue: str, message_id: str | None, headers: Mapping[str, Any]
) -> Iterator[Span | None]:
    """The CONSUMER span of one delivery, a child of the publish span named in its
    `traceparent` header (a new trace without one); messages written while it is current carry
    it on."""
    if _tracer is None:
        yield None
        return
    attributes: dict[str, str | int] = {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "process",
        "messaging.destination.name": queue,
    }
    if message_id:
        attributes["messaging.message.id"] = message_id
    with _tracer.start_as_current_span(
        f"{queue} process",
        context=context_of(headers),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    ) as current:
        yield current


@contextlib.contextmanager
def batch_span(name: str, captured: Sequence[Context | None]) -> Iterator[Span | None]:
    """A batch handled in one transaction has several parents: its span links the span of
    every message in it (the OpenTelemetry way for batches). When they all belong to one trace
    (one submission's messages arriving together) the batch continues that trace, a child of
    the first; a batch of several traces starts its own."""
    if _tracer is None:
        yield None
        return
    contexts = [c for c in captured if c is not None]
    links = [Link(trace.get_current_span(c).get_span_context()) for c in contexts]
    links = [link for link in links if link.context.is_valid]
    one_trace = len({link.context.trace_id for link in links}) == 1
    with _tracer.start_as_current_span(
        f"{name} batch",
        context=contexts[0] if one_trace else Context(),
        kind=SpanKind.INTERNAL,
        links=links,
        attributes={"messaging.batch.message_count": len(captured)},
    ) as current:
        yield current


@contextlib.contextmanager
def webhook_span(subject_sid: str, event_id: str) -> Iterator[Span | None]:
    """The CLIENT span of one status-callback attempt; the request carries it to the receiver
    in `traceparent` (see `outgoing_headers`). The URL is left out: it may hold a token."""
    with span(
        "webhook POST",
        kind=SpanKind.CLIENT,
        attributes={
            "http.request.method": "POST",
            "trusthub.subject_sid": subject_sid,
            "trusthub.event_id": event_id,
        },
    ) as current:
        yield current


@contextlib.contextmanager
def publish_spans(messages: Sequence[Outgoing]) -> Iterator[Sequence[Outgoing]]:
    """The relay's side: one PRODUCER span per traced message, a child of the context stored
    with its outbox row, covering the publish and its confirm; the message then names that
    span in its `traceparent` header. Untraced here, messages keep the stored header as is."""
    if _tracer is None:
        yield messages
        return
    spans: list[Span] = []
    traced: list[Outgoing] = []
    for message in messages:
        parent = context_of(message.headers)
        if parent is None:
            traced.append(message)
            continue
        span_ = _tracer.start_span(
            f"{message.routing_key} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.operation.type": "send",
                "messaging.destination.name": message.exchange,
                "messaging.rabbitmq.destination.routing_key": message.routing_key,
                "messaging.message.id": message.message_id,
            },
        )
        spans.append(span_)
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span_))
        traced.append(dataclasses.replace(message, headers={**(message.headers or {}), **carrier}))
    try:
        yield traced
    except BaseException as error:
        for span_ in spans:
            span_.record_exception(error)
            span_.set_status(trace.StatusCode.ERROR)
        raise
    finally:
        for span_ in spans:
            span_.end()
