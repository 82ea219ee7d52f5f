"""docker-compose.yml: no Docker engine runs here, so its structure is checked instead; the same
topology runs with real processes in tests/faults."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from trusthub.cli import _parser
from trusthub.config import Settings

from .dashboard_metrics import DASHBOARD_METRICS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_the_stack_has_every_service(compose: dict[str, Any]) -> None:
    # then the stack is the documented topology
    services = compose["services"]
    assert {
        "postgres",
        "rabbitmq",
        "migrate",
        "gateway-1",
        "gateway-2",
        "reviewer",
        "notifier",
    } <= set(services)
    assert services["reviewer"]["deploy"]["replicas"] == 2
    assert "management" in services["rabbitmq"]["image"]


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    # given the services that run continuously
    services = compose["services"]
    for name in ("postgres", "rabbitmq", "gateway-1", "gateway-2", "reviewer", "notifier"):
        # then each says how to tell it is healthy
        assert services[name]["healthcheck"]["test"], name


def test_trusthub_services_wait_for_their_dependencies(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("gateway-1", "gateway-2", "reviewer", "notifier"):
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["rabbitmq"]["condition"] == "service_healthy", name
        assert deps["migrate"]["condition"] == "service_completed_successfully", name


def test_environment_names_real_settings(compose: dict[str, Any]) -> None:
    # given every variable the trusthub services set
    known = {name.upper() for name in Settings.model_fields}
    for name in ("migrate", "gateway-1", "gateway-2", "reviewer", "notifier"):
        env = compose["services"][name]["environment"]
        # then each is a setting trusthub reads, and the stack uses PostgreSQL and RabbitMQ
        assert set(env) <= known, name
        assert env["DATABASE_URL"].startswith("postgresql://"), name
        assert env["BROKER_URL"].startswith("amqp://"), name


def test_commands_are_real_cli_commands(compose: dict[str, Any]) -> None:
    # given the command line of every trusthub service
    for name in ("migrate", "gateway-1", "gateway-2", "reviewer", "notifier"):
        command = compose["services"][name]["command"]
        assert command[0] == "trusthub", name
        # then the CLI parses it
        _parser().parse_args(command[1:])


def test_the_image_builds_from_the_repository() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for needed in ("COPY src", "COPY migrations", "pip install"):
        assert needed in dockerfile


# --- pinned images, metrics, dashboard, first account -----------------------------------------

METRIC = re.compile(r"\b(?:trusthub|rabbitmq)_[a-z0-9_]+")
GRAFANA = ROOT / "deploy" / "grafana"


def trusthub_processes(compose: dict[str, Any]) -> dict[str, int]:
    """Each long-running trusthub service and the port its /metrics answers on: a gateway's
    HTTP port, a worker's METRICS_PORT."""
    found: dict[str, int] = {}
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if command[:1] != ["trusthub"] or service.get("restart") == "no":
            continue
        args = _parser().parse_args(command[1:])
        if args.command == "serve":
            found[name] = int(args.port)
        else:
            assert args.command == "worker", name
            found[name] = int(service["environment"]["METRICS_PORT"])
    return found


def scrape_targets(prometheus: dict[str, Any]) -> dict[str, set[tuple[str, int]]]:
    targets: dict[str, set[tuple[str, int]]] = {}
    for job in prometheus["scrape_configs"]:
        found = targets.setdefault(job["job_name"], set())
        for sd in job.get("dns_sd_configs", []):
            found |= {(name, int(sd["port"])) for name in sd["names"]}
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, _, port = target.partition(":")
                found.add((host, int(port)))
    return targets


def test_every_image_is_pinned_to_a_version(compose: dict[str, Any]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name, service in compose["services"].items():
        # then every image names a tag, and not one that moves
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} has no tag"
        assert "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image} is not a version"
        assert re.search(r"\d", tag), f"{name}: {image} is not a version"
        # and the image built from this repository carries the project's version
        if "build" in service:
            assert tag == version, name


def test_prometheus_scrapes_every_trusthub_process_and_nothing_else(
    compose: dict[str, Any],
) -> None:
    # given the scrape configuration that the prometheus service mounts
    mounts = compose["services"]["prometheus"]["volumes"]
    assert "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    targets = scrape_targets(prometheus)
    # when the jobs other than RabbitMQ's are compared with the trusthub services
    rabbitmq = targets.pop("rabbitmq")
    scraped = {target for job in targets.values() for target in job}
    expected = {(name, port) for name, port in trusthub_processes(compose).items()}
    # then each service is scraped on its metrics port, and each target is such a service
    assert {"gateway-1", "gateway-2", "reviewer", "notifier"} <= {n for n, _ in expected}
    assert scraped == expected
    # and RabbitMQ's plugin is scraped for the queue depths
    assert rabbitmq == {("rabbitmq", 15692)}
    # and workers serve metrics at an address other containers reach
    assert compose["x-trusthub-env"]["HOST"] == "0.0.0.0"


def test_grafana_provisions_the_pipeline_dashboard_over_prometheus(
    compose: dict[str, Any],
) -> None:
    # given what the grafana service mounts
    mounts = compose["services"]["grafana"]["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in mounts
    datasources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    providers = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "trusthub.yml").read_text()
    )
    [source] = datasources["datasources"]
    [provider] = providers["providers"]
    # then the datasource is the prometheus service and the provider reads the mounted folder
    assert source["url"] == "http://prometheus:9090"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    # and the one dashboard parses, every panel queries that datasource
    [file] = list((GRAFANA / "dashboards").glob("*.json"))
    dashboard = json.loads(file.read_text())
    exprs = []
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        assert panel["targets"], panel["title"]
        exprs += [target["expr"] for target in panel["targets"]]
    # and its queries name only the metrics the shared list holds, each at least once
    named = {name for expr in exprs for name in METRIC.findall(expr)}
    assert all(METRIC.search(expr) for expr in exprs)
    assert named == DASHBOARD_METRICS
    # and it shows the pipeline: submissions, review latency, queue depths, webhook failures
    text = "\n".join(exprs)
    for shown in (
        "trusthub_messages_consumed_total",
        "trusthub_review_decision_seconds_bucket",
        "rabbitmq_queue_messages_ready",
        "trusthub_delivery_attempts_total",
    ):
        assert shown in text, shown


def test_the_first_account_command_is_documented_and_parses() -> None:
    # given the commands the compose file's header tells the operator to run
    header = (ROOT / "docker-compose.yml").read_text().split("\nx-trusthub-env")[0]
    prefix = "docker compose run --rm migrate trusthub "
    commands = [line.split(prefix, 1)[1].split() for line in header.splitlines() if prefix in line]
    # then one creates an admin account, and the CLI parses it
    [create] = commands
    args = _parser().parse_args(create)
    assert (args.command, args.accounts_command, args.role, args.json) == (
        "accounts",
        "create",
        "admin",
        True,
    )
