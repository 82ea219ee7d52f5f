"""docker-compose.yml: no Docker engine runs here, so its structure is checked instead; the same
topology runs with real processes in tests/faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from trusthub.cli import _parser
from trusthub.config import Settings

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
