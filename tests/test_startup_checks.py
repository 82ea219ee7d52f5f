"""A gateway or worker that would sign representative verification links with a key of its own
(RabbitMQ, several processes, no DEV_MODE) refuses to start, naming REP_VERIFICATION_SECRET,
instead of failing when the first link is sent or opened."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from trusthub.app import create_app
from trusthub.config import Settings

from .conftest import AMQP_URL
from .test_cli import COMMAND_TIMEOUT, TRUSTHUB, cli_env

SECRET = "a-verification-key-of-32-characters!"


async def run(*args: str, cwd: Path, **env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        TRUSTHUB,
        *args,
        cwd=cwd,
        env=cli_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


@pytest.mark.parametrize("command", [("serve",), ("worker", "notifier"), ("worker", "reviewer")])
async def test_a_process_on_rabbitmq_without_the_secret_refuses_to_start(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    # given RabbitMQ, DEV_MODE off, and no REP_VERIFICATION_SECRET
    # when the operator starts a gateway or a worker
    code, stderr = await run(
        *command,
        cwd=tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'none.db'}",
        BROKER_URL=AMQP_URL,
    )
    # then it exits at once with one line naming the setting
    assert code == 2
    assert stderr.strip().splitlines() == [
        "error: REP_VERIFICATION_SECRET must be set (32+ characters, the same on every gateway "
        "and worker) when BROKER_URL is not memory:// and DEV_MODE is off."
    ]


def test_the_app_refuses_to_be_built_without_it() -> None:
    # given the same settings, served by an ASGI server without the CLI's check
    settings = Settings(broker_url=AMQP_URL, _env_file=None)  # type: ignore[call-arg]
    # when the app is built, then it refuses, naming the setting
    with pytest.raises(RuntimeError, match="REP_VERIFICATION_SECRET must be set"):
        create_app(settings)


@pytest.mark.parametrize(
    ("values", "secret_needed"),
    [
        ({"broker_url": AMQP_URL}, True),
        ({"broker_url": AMQP_URL, "rep_verification_secret": SECRET}, False),
        ({"broker_url": AMQP_URL, "dev_mode": True}, False),
        ({"broker_url": "memory://"}, False),
    ],
)
def test_the_secret_is_required_only_where_processes_must_share_it(
    values: dict[str, object], secret_needed: bool
) -> None:
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    assert (settings.startup_problem() is not None) == secret_needed
    if not secret_needed:
        assert len(settings.verification_secret()) >= 32
