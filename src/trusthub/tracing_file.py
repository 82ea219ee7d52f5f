"""A span exporter for tests across processes: each finished span becomes one JSON line in a
file (TRACING_SPAN_FILE). Not for production, where spans go to the OTLP endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


class SpanFileExporter(SpanExporter):
    """Appends spans to `path`; a test started the process and reads the file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(span_as_dict(s)) + "\n" for s in spans)
        with self._lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(lines)
        return SpanExportResult.SUCCESS


def span_as_dict(s: ReadableSpan) -> dict[str, Any]:
    """What the tests compare: ids in the W3C hex form, kind, links, service, attributes."""
    context = s.get_span_context()
    assert context is not None
    return {
        "name": s.name,
        "kind": s.kind.name,
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_id": f"{s.parent.span_id:016x}" if s.parent else None,
        "links": [
            {"trace_id": f"{link.context.trace_id:032x}", "span_id": f"{link.context.span_id:016x}"}
            for link in s.links
        ],
        "service": str(s.resource.attributes.get("service.name", "")),
        "attributes": {k: v for k, v in (s.attributes or {}).items() if isinstance(v, str | int)},
    }
