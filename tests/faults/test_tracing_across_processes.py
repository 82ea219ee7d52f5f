"""One submission is one trace across processes: a gateway, a reviewer worker and a notifier
worker (real subprocesses on PostgreSQL and RabbitMQ) each write their spans to a file
(TRACING_SPAN_FILE); the spans of a submit sent with a `traceparent` all share its trace id and
chain from the operation through each outbox publish and consumer to the webhook POST, whose
`traceparent` the receiver saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from trusthub.db import SessionFactory
from trusthub.services import profiles, representatives

from ..conftest import Acct
from ..factories import business_profile, rep_changes
from ..notify.conftest import Receiver
from .conftest import Stack
from .support import LOOPBACK_ALLOWED, REAL_LOOKING, REAL_REP, SUBMIT_PROFILE, wait_until

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN}-01"

Span = dict[str, Any]


def spans_in(*files: Path) -> list[Span]:
    return [
        json.loads(line)
        for file in files
        if file.exists()
        for line in file.read_text().splitlines()
        if line.strip()
    ]


def parent_of(span: Span, spans: list[Span]) -> Span:
    parents = [s for s in spans if s["span_id"] == span["parent_id"]]
    assert len(parents) == 1, (span, spans)
    return parents[0]


def chain_to_root(span: Span, spans: list[Span]) -> list[tuple[str, str, str]]:
    """(service, kind, name) from the operation down to `span`."""
    chain = [span]
    while chain[-1]["parent_id"] != CALLER_SPAN:
        chain.append(parent_of(chain[-1], spans))
    return [(s["service"], s["kind"], s["name"]) for s in reversed(chain)]


async def draft_with_callback(sessions: SessionFactory, account: Acct, url: str) -> str:
    async with sessions() as s:
        row = await profiles.create_profile(
            s,
            account.actor,
            business_profile(changes={**REAL_LOOKING, ("statusCallback",): url}),
            settings=LOOPBACK_ALLOWED,
        )
        await representatives.add_representative(
            s, account.actor, row.sid, 1, rep_changes(**REAL_REP)
        )
        await s.commit()
        return row.sid


async def test_a_submission_is_one_trace_from_the_operation_to_the_webhook(
    stack: Stack, sessions: SessionFactory, alice: Acct, receiver: Receiver, tmp_path: Path
) -> None:
    # given a gateway, a reviewer and a notifier, each tracing to its own span file
    files = {name: tmp_path / f"{name}.spans.jsonl" for name in ("gateway", "reviewer", "notifier")}
    notifier_env = {"WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true", "SMTP_URL": "log://"}
    gateway = await stack.gateway(
        TRACING_SPAN_FILE=str(files["gateway"]), OTEL_SERVICE_NAME="gateway"
    )
    await stack.worker(
        "reviewer", TRACING_SPAN_FILE=str(files["reviewer"]), OTEL_SERVICE_NAME="reviewer"
    )
    await stack.worker(
        "notifier",
        TRACING_SPAN_FILE=str(files["notifier"]),
        OTEL_SERVICE_NAME="notifier",
        **notifier_env,
    )
    sid = await draft_with_callback(sessions, alice, receiver.url)

    # when the profile is submitted over GraphQL by a caller that sends its own traceparent
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": SUBMIT_PROFILE,
                "operationName": "Submit",  # as Apollo and Relay send it
                "variables": {"input": {"id": sid, "acceptTerms": True}},
            },
            headers={**alice.headers, "traceparent": TRACEPARENT},
        )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["submitCustomerProfile"]["userErrors"] == []

    def approved_post(spans: list[Span]) -> Span | None:
        """The POST span whose id the APPROVED callback carried in its traceparent."""
        sent = {
            request.headers.get("traceparent", "").split("-")[2:3][0]
            for request in receiver.requests
            if request.form.get("Status") == "APPROVED" and request.headers.get("traceparent")
        }
        return next((s for s in spans if s["span_id"] in sent and s["kind"] == "CLIENT"), None)

    async def chain_complete() -> bool:
        # spans are written when they end: a consumer's after the POST it made
        spans = spans_in(*files.values())
        post = approved_post(spans)
        try:
            return post is not None and bool(chain_to_root(post, spans))
        except AssertionError:
            return False

    await wait_until(chain_complete, within=30, what="the APPROVED callback's trace, complete")

    # then every span of the submission, in all three processes, is in the caller's trace
    spans = spans_in(*files.values())
    assert {s["service"] for s in spans if s["trace_id"] == TRACE_ID} == {
        "gateway",
        "reviewer",
        "notifier",
    }
    # and the APPROVED callback's POST chains back to the operation through every hop
    approved = approved_post(spans)
    assert approved is not None
    assert approved["trace_id"] == TRACE_ID
    hops = chain_to_root(approved, spans)
    assert hops[0] == ("gateway", "SERVER", "graphql Submit")  # the GraphQL operation
    assert hops[-1] == ("notifier", "CLIENT", "webhook POST")
    # (any process's relay may publish a row: PRODUCER spans are checked by kind alone)
    assert [kind for _, kind, _ in hops if kind != "INTERNAL"] == [
        "SERVER",
        *["PRODUCER", "CONSUMER"] * 3,  # review requested, decision made, status changed
        "CLIENT",
    ]
    consumers = [
        (service, name.rsplit(".", 1)[-1]) for service, kind, name in hops if kind == "CONSUMER"
    ]
    assert consumers == [
        ("reviewer", "reviews process"),
        ("gateway", "decisions process"),
        ("notifier", "webhooks process"),
    ]
    # each consumer's parent is a publish span: the traceparent crossed RabbitMQ
    for span in (s for s in spans if s["kind"] == "CONSUMER" and s["trace_id"] == TRACE_ID):
        assert parent_of(span, spans)["kind"] == "PRODUCER", span
    # and every callback the receiver got carried the trace in its traceparent header
    received = [r.headers.get("traceparent", "") for r in receiver.requests]
    assert all(value.split("-")[1:2] == [TRACE_ID] for value in received), received
