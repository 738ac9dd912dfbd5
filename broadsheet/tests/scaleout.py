"""Scale-out engines as real processes, for tests that must run on them (markers `cluster` and
`replica`): a 3-master Redis Cluster and a PostgreSQL streaming replica of the server at
DATABASE_URL. Both start once per test session, on free ports of 127.0.0.1, with their data in
temporary directories, and are stopped and removed at its end.

    def test_something(redis_cluster):
        client = redis_client(redis_cluster.url, timeout=1)

    def test_other(pg_replica):  # a replica of the test database's server
        pg_replica.pause_replay(); ...; pg_replica.resume_replay()

Tests skip, saying why, when redis-server / redis-cli or PostgreSQL's binaries are missing.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .topology import HOST, REDIS_SERVER, Service, StartError, _tail, _wait, free_port

REDIS_CLI = shutil.which("redis-cli")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


# --- Redis Cluster ----------------------------------------------------------------------------


def free_cluster_port() -> int:
    """A free port whose cluster bus port (10000 higher, so at most 55535) is free too."""
    for _ in range(200):
        port = random.randint(20_000, 45_000)
        try:
            with socket.socket() as first, socket.socket() as second:
                first.bind((HOST, port))
                second.bind((HOST, port + 10_000))
        except OSError:
            continue
        return port
    raise StartError("no free pair of ports for a Redis Cluster node")


class ClusterNode(Service):
    """One master of the cluster: cluster mode, no persistence, its nodes.conf in its dir."""

    name = "redis-node"

    def __init__(self, *, logs: Path, port: int):
        self.port = port
        self.name = f"redis-node-{port}"
        super().__init__(logs=logs)
        self.dir = self.logs / str(port)
        self.dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            HOST,
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.dir),
        ]

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host=HOST, port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def wait_ready(self) -> None:
        _wait("redis-server (cluster node)", self.ping, self, timeout=20)


class RedisClusterHarness:
    """Three masters, no replicas, slots spread by `redis-cli --cluster create`."""

    def __init__(self, *, logs: Path, masters: int = 3):
        self.logs = Path(logs)
        self.nodes = [ClusterNode(logs=self.logs, port=free_cluster_port()) for _ in range(masters)]

    @property
    def url(self) -> str:
        """The URL the settings take (broadsheet/redis_guard.py): every master a seed."""
        return "redis+cluster://" + ",".join(f"{HOST}:{node.port}" for node in self.nodes)

    def _cluster_ok(self) -> bool:
        import redis

        for node in self.nodes:
            info = redis.Redis(host=HOST, port=node.port, socket_timeout=1).cluster("info")
            if info.get("cluster_state") != "ok":
                return False
        return True

    def start(self) -> RedisClusterHarness:
        try:
            for node in self.nodes:
                node.start()
            result = subprocess.run(
                [
                    REDIS_CLI,
                    "--cluster",
                    "create",
                    *(f"{HOST}:{node.port}" for node in self.nodes),
                    "--cluster-replicas",
                    "0",
                    "--cluster-yes",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            if result.returncode != 0:
                output = result.stdout + result.stderr
                raise StartError(f"redis-cli --cluster create failed:\n{output}")
            deadline = time.monotonic() + 30
            while not self._cluster_ok():
                if time.monotonic() > deadline:
                    raise StartError("the cluster did not reach cluster_state:ok within 30 s")
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> RedisClusterHarness:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory) -> Iterator[RedisClusterHarness]:
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip("redis-server and redis-cli are missing: apt-get install -y redis-server")
    with RedisClusterHarness(logs=tmp_path_factory.mktemp("redis-cluster")) as cluster:
        yield cluster


def cluster_url_for(request, kind: str) -> str:
    """The session's cluster URL when a store parameter is "cluster" (starting it), else ""."""
    return request.getfixturevalue("redis_cluster").url if kind == "cluster" else ""


def cluster_caches(url: str) -> dict:
    """CACHES with the default cache (the page cache, sessions) on the cluster."""
    return {
        "default": {
            "BACKEND": "broadsheet.redis_cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"bs-test-{os.getpid()}",
            "OPTIONS": {"timeout": 1.0},
        }
    }


# --- PostgreSQL streaming replica -------------------------------------------------------------


def _as_postgres() -> dict:
    """subprocess arguments that run a PostgreSQL binary as the postgres OS user when we are
    root (initdb and postgres refuse to run as root)."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class PostgresReplica(Service):
    """A hot standby of the primary, streaming from it: pg_basebackup into a temp data
    directory with standby.signal (-R), started on a free port. Nothing of the primary is
    changed: it must already allow replication connections (Debian's default pg_hba.conf
    does, from 127.0.0.1, and wal_level defaults to replica)."""

    name = "postgres-replica"
    # A fast shutdown: a standby has nothing to flush for anybody.
    stop_signal = 2  # SIGINT

    def __init__(self, *, primary_url: str, logs: Path):
        super().__init__(logs=logs)
        parts = urlsplit(primary_url)
        self.primary_host = parts.hostname or HOST
        self.primary_port = parts.port or 5432
        self.user = parts.username or "postgres"
        self.port = free_port()
        # The postgres OS user must own the data directory: not under pytest's private tmp.
        self.root = Path(tempfile.mkdtemp(prefix="bs-replica-"))
        self.data = self.root / "data"
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.slot = f"bs_replica_{os.getpid()}"

    def _primary(self):
        import psycopg

        return psycopg.connect(
            host=self.primary_host,
            port=self.primary_port,
            user=self.user,
            dbname="postgres",
            autocommit=True,
        )

    def _check_primary(self) -> None:
        with self._primary() as connection:
            (wal_level,) = connection.execute("SHOW wal_level").fetchone()
            (senders,) = connection.execute("SHOW max_wal_senders").fetchone()
        if wal_level not in ("replica", "logical") or int(senders) < 1:
            pytest.skip(
                f"the primary cannot stream (wal_level={wal_level}, max_wal_senders={senders})"
            )

    def _base_backup(self) -> None:
        with open(self.log_path, "ab") as log:
            result = subprocess.run(
                [
                    str(PG_BIN / "pg_basebackup"),
                    "-h",
                    self.primary_host,
                    "-p",
                    str(self.primary_port),
                    "-U",
                    self.user,
                    "-D",
                    str(self.data),
                    "-X",
                    "stream",
                    "-R",  # standby.signal and primary_conninfo
                    "-C",
                    "-S",
                    self.slot,  # a slot: the primary keeps the WAL the standby still needs
                    "--checkpoint=fast",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=300,
                check=False,
                **_as_postgres(),
            )
        if result.returncode != 0:
            raise StartError(f"pg_basebackup failed; its log:\n{_tail(self.log_path)}")

    def command(self) -> list[str]:
        return [
            PG_BIN / "postgres",
            "-D",
            self.data,
            "-p",
            str(self.port),
            "-c",
            f"listen_addresses={HOST}",
            "-c",
            f"unix_socket_directories={self.root}",
            "-c",
            "hot_standby=on",
            # Debian keeps these in /etc, outside the copied data directory.
            "-c",
            "config_file=" + str(self.data / "postgresql.conf"),
            "-c",
            "hba_file=" + str(self.data / "pg_hba.conf"),
            "-c",
            "ident_file=" + str(self.data / "pg_ident.conf"),
            "-c",
            "shared_buffers=32MB",
        ]

    def start(self) -> PostgresReplica:
        self._check_primary()
        self._base_backup()
        self._write_local_config()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(part) for part in self.command()],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **_as_postgres(),
            )
        try:
            _wait("the replica", self._in_recovery, self, timeout=120)
        except BaseException:
            self.stop()
            raise
        return self

    def _write_local_config(self) -> None:
        """A base backup copies the data directory only; Debian keeps postgresql.conf and
        pg_hba.conf in /etc: give the standby minimal ones of its own."""
        config = self.data / "postgresql.conf"
        if not config.exists():
            config.write_text("")
        hba = self.data / "pg_hba.conf"
        if not hba.exists():
            hba.write_text(
                "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
            )
        ident = self.data / "pg_ident.conf"
        if not ident.exists():
            ident.write_text("")
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            for path in (config, hba, ident):
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(
            host=HOST, port=self.port, user=self.user, dbname=dbname, autocommit=True
        )

    def _in_recovery(self) -> bool:
        import psycopg

        try:
            with self.connect() as connection:
                return bool(connection.execute("SELECT pg_is_in_recovery()").fetchone()[0])
        except psycopg.OperationalError:
            return False

    def pause_replay(self) -> None:
        """Replication lag on demand: WAL still arrives, nothing of it is applied."""
        with self.connect() as connection:
            connection.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.connect() as connection:
            connection.execute("SELECT pg_wal_replay_resume()")

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the standby has applied everything the primary had written when asked."""
        with self._primary() as connection:
            (target,) = connection.execute("SELECT pg_current_wal_lsn()").fetchone()
        deadline = time.monotonic() + timeout
        with self.connect() as connection:
            while time.monotonic() < deadline:
                (behind,) = connection.execute(
                    "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0", (target,)
                ).fetchone()
                if not behind:
                    return
                time.sleep(0.02)
        raise StartError(f"the replica did not catch up within {timeout:.0f} s")

    def stop(self, stop_signal: int | None = None) -> None:
        super().stop(stop_signal)
        try:
            with self._primary() as connection:
                connection.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    "WHERE slot_name = %s AND NOT active",
                    (self.slot,),
                )
        except Exception:  # noqa: BLE001  (the primary may be gone too; nothing to keep)
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def _primary_url() -> str:
    return os.environ.get("DATABASE_URL", "")


@pytest.fixture(scope="session")
def pg_replica(tmp_path_factory) -> Iterator[PostgresReplica]:
    """A streaming replica of the PostgreSQL server the tests run on (DATABASE_URL)."""
    url = _primary_url()
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the replica tests need DATABASE_URL=postgres://... (a primary to copy)")
    if not (PG_BIN / "pg_basebackup").exists():
        pytest.skip(f"PostgreSQL's binaries are not in {PG_BIN} (set PG_BIN)")
    with PostgresReplica(primary_url=url, logs=tmp_path_factory.mktemp("pg-replica")) as replica:
        yield replica
