"""A PostgreSQL cluster and a RabbitMQ node that the outage tests start themselves, on spare ports
and in temporary directories, so that stopping them never touches the machine's shared services.

Both are built from the distribution's own binaries, found at run time (no version is written
down): `initdb` and `pg_ctl` from /usr/lib/postgresql/<version>/bin (or PATH), `rabbitmq-server`
and `rabbitmqctl` from /usr/lib/rabbitmq/bin (or PATH). PostgreSQL refuses to run as root, so
when the test runner is root its commands run as the `postgres` user. The RabbitMQ node runs
with a HOME of its own: the Erlang cookie the node creates there on first start is the one its
`rabbitmqctl` reads, and no other node's cookie is involved."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

COMMAND_TIMEOUT = 60.0
RABBITMQ_STARTUP_TIMEOUT = 60.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Looked up here, not between fork and exec, where loading a library could deadlock.
_PRCTL = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _find(name: str, *directories: Path) -> str:
    for directory in directories:
        if (directory / name).is_file():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found (looked in {[str(d) for d in directories]}, PATH)")
    return found


def _run(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=cwd, timeout=COMMAND_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


# -- PostgreSQL --------------------------------------------------------------------------------


def postgres_bin_dir() -> Path:
    """The newest installed server's bin directory (Debian keeps one per major version)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb) found")
    return Path(initdb).parent


class OwnPostgres:
    """A private PostgreSQL cluster: trust auth, fsync off (the tests need speed, not
    durability across a machine crash), listening on 127.0.0.1:`port` and a socket in its own
    directory."""

    def __init__(self) -> None:
        self.bin = postgres_bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="trusthub-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.root.chmod(0o700)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg(self, tool: str, *args: str) -> str:
        return _run([*self._as_postgres, str(self.bin / tool), *args], cwd=self.root)

    def init(self) -> None:
        self._pg("initdb", "-D", str(self.data), "--auth=trust", "--username=postgres", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 200\n"
            )

    @property
    def running(self) -> bool:
        done = subprocess.run(
            [*self._as_postgres, str(self.bin / "pg_ctl"), "status", "-D", str(self.data)],
            capture_output=True,
            cwd=self.root,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        return done.returncode == 0

    def start(self) -> None:
        """`pg_ctl start`, returning once the server accepts connections."""
        self._pg("pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.log))

    def stop(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m MODE`: `fast` ends every session at once, as an operator's restart
        or a failover does."""
        self._pg("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data))

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            if self.running:
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


# -- RabbitMQ ----------------------------------------------------------------------------------

# Debian's /usr/sbin wrappers switch to the `rabbitmq` user (and its HOME, hence the shared
# node's cookie) when run as root; the scripts they wrap take the environment as given.
RABBITMQ_SCRIPTS = Path("/usr/lib/rabbitmq/bin")


class OwnRabbitMQ:
    """A second RabbitMQ node, `th-test-<uuid>@localhost`, with its own AMQP and distribution
    ports, database, logs and cookie, and no plugins (it starts in a few seconds)."""

    def __init__(self) -> None:
        self.server = _find("rabbitmq-server", RABBITMQ_SCRIPTS)
        self.ctl_path = _find("rabbitmqctl", RABBITMQ_SCRIPTS)
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"th-test-{uuid.uuid4().hex[:12]}@localhost"
        self.root = Path(tempfile.mkdtemp(prefix="trusthub-rabbitmq-"))
        self.log = self.root / "server.out"
        self._process: subprocess.Popen[bytes] | None = None
        for sub in ("home", "mnesia", "logs"):
            (self.root / sub).mkdir()
        (self.root / "enabled_plugins").write_text("[].\n")
        (self.root / "rabbitmq-env.conf").write_text("")  # not the machine's NODENAME
        (self.root / "rabbitmq.conf").write_text("")  # nor its listeners
        self.env = {
            **os.environ,
            "HOME": str(self.root / "home"),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "logs"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.root / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq.conf"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    @property
    def url(self) -> str:
        # No account named: AMQP clients then log in as a fresh node's default user.
        return f"amqp://127.0.0.1:{self.port}/"

    def ctl(self, *args: str) -> str:
        """`rabbitmqctl -n NODE ARGS…` against this node alone."""
        return _run([self.ctl_path, "-n", self.node, *args], env=self.env)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the node as a child process (its own process group, so that teardown can end
        it and everything it spawned) and return once `await_startup` says it is up."""
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(
                [self.server],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.root,
                start_new_session=True,
                preexec_fn=_term_with_parent,
            )
        deadline = time.monotonic() + RABBITMQ_STARTUP_TIMEOUT
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.node} exited:\n{self.output()}")
            try:  # fails at once while the node is not yet registered with epmd
                self.ctl("await_startup", "--timeout", "30")
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)

    def stop(self) -> None:
        """Shut the node down cleanly (`rabbitmqctl shutdown`): every connection is closed and
        the node process exits; queues and their messages stay on disk for the next start."""
        if not self.running:
            return
        self.ctl("shutdown")
        assert self._process is not None
        self._process.wait(COMMAND_TIMEOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(COMMAND_TIMEOUT)
        shutil.rmtree(self.root, ignore_errors=True)


def _term_with_parent() -> None:
    """In the child: SIGTERM if the test runner dies; rabbitmq-server's script traps it and
    stops the node."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)
