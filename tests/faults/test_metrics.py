"""/metrics of real processes — `trusthub serve` and `trusthub worker reviewer` with METRICS_PORT —
parsed with prometheus-client's own parser: the named metrics exist and move when a profile is
submitted; the worker's JSON log says the decision without personal data."""

from __future__ import annotations

import json

import httpx
from prometheus_client.parser import text_string_to_metric_families

from trusthub.db import SessionFactory

from ..conftest import Acct
from .conftest import Stack, free_port
from .support import create_profile_over_graphql, submit_over_graphql, wait_until_final

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(url: str) -> Samples:
    async with httpx.AsyncClient(timeout=5.0) as client:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_gateway_and_worker_metrics_move_with_a_submission(
    stack: Stack, namespace: str, sessions: SessionFactory, alice: Acct
) -> None:
    # given a gateway and a reviewer worker serving metrics, its log as JSON
    gateway = await stack.gateway()
    port = free_port()
    reviewer = await stack.worker("reviewer", METRICS_PORT=str(port), LOG_FORMAT="json")
    worker_url = f"http://127.0.0.1:{port}/metrics"
    queue = f"{namespace}.reviews"
    gateway_before = await scrape(f"{gateway.base_url}/metrics")
    worker_before = await scrape(worker_url)

    # when a profile is created and submitted over GraphQL, and the reviewer decides it
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10.0) as http:
        sid = await create_profile_over_graphql(http, alice)
        await submit_over_graphql(http, alice, sid)
        anonymous = await http.post("/graphql", json={"query": "{ nope }"}, headers=alice.headers)
        assert anonymous.status_code == 200
    await wait_until_final(sessions, [sid], within=20)
    gateway_after = await scrape(f"{gateway.base_url}/metrics")
    worker_after = await scrape(worker_url)

    # then the gateway counted the operations by name, and the failed anonymous one as an error
    ops = "trusthub_graphql_operations_total"
    assert value(gateway_after, ops, operation="Submit") == (
        value(gateway_before, ops, operation="Submit") + 1
    ), sorted(k for k in gateway_after if k[0] == ops)
    errors = "trusthub_graphql_operation_errors_total"
    assert value(gateway_after, errors, operation="anonymous") == (
        value(gateway_before, errors, operation="anonymous") + 1
    )
    latency = "trusthub_graphql_operation_seconds_count"
    assert value(gateway_after, latency, operation="Submit") >= 1
    # and it reports the database it reads at scrape time
    assert value(gateway_after, "trusthub_database_up") == 1
    assert ("trusthub_db_pool_checked_out", ()) in gateway_after
    assert ("trusthub_outbox_unsent", ()) in gateway_after
    assert ("trusthub_outbox_oldest_unsent_age_seconds", ()) in gateway_after
    assert value(gateway_after, "trusthub_reviews", status="DECIDED") >= 1
    assert ("trusthub_reviews_sla_breached", ()) in gateway_after
    assert ("trusthub_websockets_open", ()) in gateway_after
    # and the gateway's decision consumer timed the decision
    decided = "trusthub_review_decision_seconds_count"
    assert value(gateway_after, decided, outcome="APPROVED") == (
        value(gateway_before, decided, outcome="APPROVED") + 1
    )
    # and the reviewer consumed and acked the review request, dead-lettering nothing
    consumed = "trusthub_messages_consumed_total"
    settled = "trusthub_messages_settled_total"
    assert (
        value(worker_after, consumed, queue=queue)
        == value(worker_before, consumed, queue=queue) + 1
    ), sorted(k for k in worker_after if k[0].startswith("trusthub_messages"))
    assert value(worker_after, settled, queue=queue, outcome="acked") == (
        value(worker_before, settled, queue=queue, outcome="acked") + 1
    )
    assert value(worker_after, settled, queue=queue, outcome="dead_lettered") == 0
    # and the reviewer logged its decision at INFO as one JSON object, naming the subject
    lines = [
        json.loads(line)
        for line in reviewer.output(tail=1_000_000).splitlines()
        if line.startswith("{")
    ]
    [decision] = [entry for entry in lines if entry["message"].startswith("review ")]
    assert decision["level"] == "INFO"
    assert decision["subject_sid"] == sid
    assert decision["account_sid"] == alice.sid
    assert "APPROVED" in decision["message"]
    assert "acmetelecom.com" not in reviewer.output(tail=1_000_000)
