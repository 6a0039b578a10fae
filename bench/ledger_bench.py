"""Evidence ledger: appends/s with and without group commit (SQLite, and PostgreSQL when
MERAK_PG_DSN is set), and inclusion/consistency proof time against log size.

Appends: T threads each append entries one at a time, as services do (every append waits
until durable); group commit off puts every entry in its own transaction — the baseline, same
run. Proofs: a log of n entries is built straight through the store, then the median time to
read a proof from the store and to verify it, for random leaves.

Run: python -m bench.ledger_bench [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench._common import machine
from merak.ledger import (
    Frontier,
    HeadSigner,
    Ledger,
    LedgerStore,
    SigningPolicy,
    decision_entry,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from merak.ledger._postgres import PostgresLedgerStore
from merak.ledger._sqlite import SQLiteLedgerStore
from merak.v1 import common_pb2, ledger_pb2

StoreFactory = Callable[[], tuple[LedgerStore, Callable[[], None]]]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _entries(n: int) -> list[ledger_pb2.LedgerEntry]:
    return [
        decision_entry(
            ledger_pb2.Decision(
                declaration_id=f"CN-2026-{i:08d}",
                channel=common_pb2.CHANNEL_GREEN,
                decided_by="merak-intake",
                model_version="v7",
            ),
            appended_by="bench",
            appended_time_ns=1_764_000_000_000_000_000 + i,
        )
        for i in range(n)
    ]


def _sqlite_factory(tmp: Path) -> StoreFactory:
    def make() -> tuple[LedgerStore, Callable[[], None]]:
        path = tmp / f"{uuid.uuid4().hex}.sqlite"
        store = SQLiteLedgerStore(path)

        def done() -> None:
            store.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return store, done

    return make


def _pg_factory(dsn: str) -> StoreFactory:
    def make() -> tuple[LedgerStore, Callable[[], None]]:
        store = PostgresLedgerStore(dsn, f"merak_ledger_bench_{uuid.uuid4().hex[:12]}")

        def done() -> None:
            store.drop()
            store.close()

        return store, done

    return make


def _blocking_appends_per_second(
    factory: StoreFactory, group_commit: bool, threads: int, per_thread: int
) -> float:
    """T threads, each appending one entry at a time and waiting for it (as RPC handlers do)."""
    store, done = factory()
    try:
        led = Ledger(
            store, _signer(), "bench/log", SigningPolicy(1000, 1000), group_commit=group_commit
        )
        work = [_entries(per_thread) for _ in range(threads)]
        barrier = threading.Barrier(threads + 1)

        def run(batch: list[ledger_pb2.LedgerEntry]) -> None:
            barrier.wait()
            for e in batch:
                led.append(e)

        pool = [threading.Thread(target=run, args=(w,)) for w in work]
        for t in pool:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - start
        led.close()
    finally:
        done()
    return threads * per_thread / elapsed


def _pipelined_appends_per_second(factory: StoreFactory, group_commit: bool, n: int) -> float:
    """One producer with many appends in flight (submit, then wait for all): a batching service."""
    store, done = factory()
    try:
        led = Ledger(
            store, _signer(), "bench/log", SigningPolicy(1000, 1000), group_commit=group_commit
        )
        entries = _entries(n)
        start = time.perf_counter()
        led.append_many(entries)
        elapsed = time.perf_counter() - start
        led.close()
    finally:
        done()
    return n / elapsed


def _signer() -> HeadSigner:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return HeadSigner(Ed25519PrivateKey.generate())


def _build(store: LedgerStore, n: int, batch: int = 20_000) -> None:
    frontier = Frontier()
    while frontier.size < n:
        start = frontier.size
        leaves, nodes = [], []
        for i in range(start, min(n, start + batch)):
            data = i.to_bytes(8, "big") * 4
            h = leaf_hash(data)
            leaves.append((data, h))
            nodes.extend(frontier.append(h))
        store.append(start, leaves, nodes)


def _proof_times(factory: StoreFactory, n: int, samples: int) -> dict[str, float]:
    store, done = factory()
    try:
        return _timed_proofs(store, n, samples)
    finally:
        done()


def _timed_proofs(store: LedgerStore, n: int, samples: int) -> dict[str, float]:
    t0 = time.perf_counter()
    _build(store, n)
    _log(f"    built {n} entries in {time.perf_counter() - t0:.1f} s")
    led = Ledger(store, _signer(), "bench/log", SigningPolicy(10**9, 10**9))
    root = led.latest_head().root_hash
    rng = random.Random(n)
    gen, ver, cgen, cver = [], [], [], []
    for _ in range(samples):
        i = rng.randrange(n)
        (h,) = store.read_nodes([(0, i)])
        t = time.perf_counter()
        size, proof = led.inclusion_proof(i, n)
        gen.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_inclusion(h, i, size, proof, root)
        ver.append(time.perf_counter() - t)
    old_sizes = [rng.randrange(1, n) for _ in range(max(10, samples // 10))]
    old_roots = {m: led.root(m) for m in old_sizes}
    for m in old_sizes:
        t = time.perf_counter()
        _, proof = led.consistency_proof(m, n)
        cgen.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_consistency(m, n, proof, old_roots[m], root)
        cver.append(time.perf_counter() - t)
    led.close()
    ms = 1000.0
    return {
        "incl_gen": statistics.median(gen) * ms,
        "incl_ver": statistics.median(ver) * ms,
        "cons_gen": statistics.median(cgen) * ms,
        "cons_ver": statistics.median(cver) * ms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (smoke checks)")
    args = parser.parse_args(argv)
    threads, per_thread, rounds = (16, 200, 3) if args.quick else (16, 1000, 5)
    pipelined = 4000 if args.quick else 40_000
    sizes = (10**3, 10**4, 10**5) if args.quick else (10**4, 10**5, 10**6)
    samples = 200 if args.quick else 1000
    dsn = os.environ.get("MERAK_PG_DSN", "")
    out: list[str] = ["## Evidence ledger", ""]
    with tempfile.TemporaryDirectory(prefix="merak-ledger-bench-") as tmp:
        backends: list[tuple[str, StoreFactory]] = [
            ("SQLite (WAL, synchronous=FULL)", _sqlite_factory(Path(tmp)))
        ]
        if dsn:
            backends.append(("PostgreSQL", _pg_factory(dsn)))
        out += [
            "Appends/s, every append acknowledged only once durable; median of "
            f"{rounds} rounds. *Pipelined*: one producer with {pipelined:,} appends in flight. "
            f"*Blocking*: {threads} threads (the server's worker count) each appending one "
            "entry at a time. Baseline: the same with one commit per entry (fewer entries, "
            "it is slow).",
            "",
            "| store | mode | group commit | one commit per entry | ratio |",
            "|---|---|---:|---:|---:|",
        ]
        for name, factory in backends:
            for mode in ("pipelined", "blocking"):
                with_gc, without = [], []
                for r in range(rounds):
                    if mode == "pipelined":
                        with_gc.append(_pipelined_appends_per_second(factory, True, pipelined))
                        without.append(
                            _pipelined_appends_per_second(factory, False, pipelined // 20)
                        )
                    else:
                        with_gc.append(
                            _blocking_appends_per_second(factory, True, threads, per_thread)
                        )
                        without.append(
                            _blocking_appends_per_second(factory, False, threads, per_thread // 10)
                        )
                    _log(f"  {name} {mode} {r}: {with_gc[-1]:,.0f} vs {without[-1]:,.0f} /s")
                a, b = statistics.median(with_gc), statistics.median(without)
                out.append(f"| {name} | {mode} | {a:,.0f} | {b:,.0f} | {a / b:.1f}× |")
        for name, factory in backends:
            out += [
                "",
                f"Proofs on {name}: median of {samples} random leaves (inclusion) and "
                f"{max(10, samples // 10)} random first sizes (consistency), against the "
                "latest size; generation reads O(log n) stored nodes in one query.",
                "",
                "| entries | inclusion: generate (ms) | inclusion: verify (ms) "
                "| consistency: generate (ms) | consistency: verify (ms) |",
                "|---:|---:|---:|---:|---:|",
            ]
            for n in sizes:
                _log(f"  {name}: proofs at {n} entries")
                t = _proof_times(factory, n, samples)
                out.append(
                    f"| {n:,} | {t['incl_gen']:.3f} | {t['incl_ver']:.3f} "
                    f"| {t['cons_gen']:.3f} | {t['cons_ver']:.3f} |"
                )
    out += ["", f"Machine: {machine()}."]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
