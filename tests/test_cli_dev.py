"""`trusthub dev` as a newcomer runs it: a real process on a fresh SQLite file, three printed
keys that work, and printed commands that reach the same database from another terminal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from .test_cli import COMMAND_TIMEOUT, account_rows, cli_env, running

VIEWER = "query { viewer { account { id name role sandbox } } }"
KEY_LINE = r"^\s+{label} API key \(.*\): (\S+)$"
EXPECTED = {  # label: (name, role, sandbox)
    "demo": ("demo", "CUSTOMER", False),
    "reviewer": ("dev-reviewer", "REVIEWER", False),
    "sandbox": ("dev-sandbox", "CUSTOMER", True),
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


async def shell(command: str, cwd: Path) -> tuple[int, str, str]:
    """Run a printed command line as a user pastes it: no trusthub setting in the environment."""
    proc = await asyncio.create_subprocess_shell(
        command,
        cwd=cwd,
        env=cli_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_dev_prints_three_working_keys_graphiql_urls_and_commands_for_its_database(
    tmp_path: Path, workdir: Path
) -> None:
    sqlite_file = f"sqlite:///{tmp_path / 'trusthub.db'}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # when a newcomer runs `trusthub dev` on a fresh SQLite file
    async with running("dev", cwd=workdir, database_url=sqlite_file) as server:
        keys = {
            label: (await server.wait_for_line(KEY_LINE.format(label=label))).group(1)
            for label in EXPECTED
        }
        urls = [
            (await server.wait_for_line(rf"GraphiQL: (\S+#key={quote(k, safe='')})$")).group(1)
            for k in keys.values()
        ]
        private = await server.wait_for_line(r"status callbacks may call private .*")
        listing = (await server.wait_for_line(r"^\s+(DATABASE_URL=\S+ \S+ accounts list)$")).group(
            1
        )
        await server.wait_until_healthy()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as http:
            viewers = {
                label: await http.post(
                    "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {key}"}
                )
                for label, key in keys.items()
            }
            ide = await http.get("/graphql", headers={"Accept": "text/html"})
        # and, from another directory, runs the printed command that lists the accounts
        code, out, err = await shell(f"{listing} --json", elsewhere)

    # then each printed key works against /graphql as its account: customer, reviewer, sandbox
    for label, response in viewers.items():
        assert response.status_code == 200, response.text
        account = response.json()["data"]["viewer"]["account"]
        assert (account["name"], account["role"], account["sandbox"]) == EXPECTED[label]
    # and each key has its GraphiQL address, the key in the fragment
    assert [url.startswith(f"{server.base_url}/graphql#key=") for url in urls] == [True] * 3
    # and GraphiQL is served to a browser
    assert ide.status_code == 200
    assert ide.headers["content-type"].startswith("text/html")
    assert "graphiql" in ide.text.lower()
    # and the database file was created and migrated, with the three accounts
    assert sorted(row["name"] for row in await account_rows(sqlite_file)) == sorted(
        name for name, _, _ in EXPECTED.values()
    )
    # and the printed command lists them from anywhere, without DATABASE_URL set
    assert code == 0, err
    assert sorted(a["name"] for a in json.loads(out)) == sorted(n for n, _, _ in EXPECTED.values())
    # and it says that status callbacks may call local receivers (loopback, private networks)
    assert "WEBHOOK_ALLOW_PRIVATE_NETWORKS=true" in private.group(0)
