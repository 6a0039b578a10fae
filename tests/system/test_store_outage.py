"""The ledger's PostgreSQL goes away and comes back: appends are answered UNAVAILABLE while it
is away (never INTERNAL, never silently lost), the committer survives, appends resume by
themselves when it is back, and the log holds exactly the acknowledged entries.

A private PostgreSQL server (initdb + pg_ctl on a free port, as the postgres user) so that
stopping it disturbs nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from merak.v1 import ledger_pb2, ledger_pb2_grpc
from tests.servers import StartServer, bearer
from tests.unit.ledger.helpers import entry as ledger_entry

PG_BIN = Path("/usr/lib/postgresql/15/bin")
WRITER = bearer("detection-token")
AUDITOR = bearer("auditor-token")

pytestmark = [
    pytest.mark.system,
    pytest.mark.skipif(
        not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None or os.geteuid() != 0,
        reason="needs PostgreSQL 15 binaries, runuser and root (to run them as postgres)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a directory, started and stopped at will."""

    def __init__(self, root: Path):
        self.data = root / "pgdata"
        self.sockets = root / "sockets"
        self.port = _free_port()
        for d in (root, self.sockets):
            d.mkdir(parents=True, exist_ok=True)
            shutil.chown(d, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60", "start"
        )

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[PrivatePostgres]:
    root = Path("/tmp") / f"merak-pg-{os.getpid()}-{time.monotonic_ns()}"
    pg = PrivatePostgres(root)
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def _subject(i: int) -> str:
    return f"DECL-{i:06d}"


def _entry(i: int) -> ledger_pb2.AppendEntryRequest:
    return ledger_pb2.AppendEntryRequest(entry=ledger_entry(i))


@pytest.mark.timeout(300)
def test_the_ledger_rides_out_its_database_going_away(
    start_server: StartServer, postgres: PrivatePostgres
) -> None:
    server, port = start_server(
        server={"services": ["ledger"]},
        ledger={"backend": "postgres", "pg_dsn": postgres.dsn, "pg_schema": "outage"},
    )
    acknowledged: dict[str, int] = {}
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = ledger_pb2_grpc.LedgerServiceStub(ch)
        for i in range(20):
            ref = stub.AppendEntry(_entry(i), metadata=WRITER, timeout=10).ref
            acknowledged[_subject(i)] = ref.index

        postgres.stop()
        codes = []
        for i in range(20, 30):
            try:
                ref = stub.AppendEntry(_entry(i), metadata=WRITER, timeout=10).ref
                acknowledged[_subject(i)] = ref.index
                codes.append("OK")
            except grpc.RpcError as err:
                codes.append(err.code().name)
        assert set(codes) == {"UNAVAILABLE"}, codes
        try:
            stub.GetEntry(ledger_pb2.GetEntryRequest(index=0), metadata=AUDITOR, timeout=10)
            read = "OK"
        except grpc.RpcError as err:
            read = err.code().name
        assert read == "UNAVAILABLE"

        postgres.start()
        resumed = None
        deadline = time.monotonic() + 60
        i = 30
        while time.monotonic() < deadline:
            try:
                ref = stub.AppendEntry(_entry(i), metadata=WRITER, timeout=10).ref
            except grpc.RpcError as err:
                assert err.code() is grpc.StatusCode.UNAVAILABLE, err.details()
                time.sleep(0.5)
                continue
            acknowledged[_subject(i)] = ref.index
            resumed = i
            break
        assert resumed is not None, "appends did not resume after the database came back"
        for j in range(resumed + 1, resumed + 10):
            ref = stub.AppendEntry(_entry(j), metadata=WRITER, timeout=10).ref
            acknowledged[_subject(j)] = ref.index

        head = stub.GetSignedTreeHead(
            ledger_pb2.GetSignedTreeHeadRequest(), metadata=AUDITOR, timeout=10
        ).tree_head
        stored: dict[str, int] = {}
        for index in range(len(acknowledged) + 5):
            try:
                got = stub.GetEntry(
                    ledger_pb2.GetEntryRequest(index=index), metadata=AUDITOR, timeout=10
                )
            except grpc.RpcError as err:
                assert err.code() is grpc.StatusCode.NOT_FOUND
                break
            assert got.entry.subject_id not in stored, "an entry was appended twice"
            stored[got.entry.subject_id] = index
    # Exactly the acknowledged entries, where their acknowledgements said.
    assert stored == acknowledged
    assert head.tree_size <= len(stored)
    started = time.monotonic()
    server.stop(grace=1.0)
    assert time.monotonic() - started < 20
