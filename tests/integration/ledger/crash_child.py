"""Child process of the crash test: appends forever from several threads, logging each ack.

Usage: python -m tests.integration.ledger.crash_child ACK_FILE sqlite PATH | postgres DSN SCHEMA

Each acknowledged append is written to ACK_FILE as ``index leaf_hash_hex`` with one
unbuffered O_APPEND write, after ``append`` returned — i.e. after the ledger said durable.
"""

from __future__ import annotations

import os
import sys
import threading

from merak.ledger import Ledger, LedgerStore, SigningPolicy
from tests.unit.ledger.helpers import entry, signer


def _store(args: list[str]) -> LedgerStore:
    if args[0] == "sqlite":
        from merak.ledger._sqlite import SQLiteLedgerStore

        return SQLiteLedgerStore(args[1])
    from merak.ledger._postgres import PostgresLedgerStore

    return PostgresLedgerStore(args[1], args[2])


def main() -> None:
    ack_fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    ledger = Ledger(_store(sys.argv[2:]), signer(), "merak.test/crash", SigningPolicy(64, 20))

    def work(base: int) -> None:
        i = 0
        while True:
            ref = ledger.append(entry(base + i))
            os.write(ack_fd, f"{ref.index} {ref.leaf_hash.hex()}\n".encode())
            i += 1

    threads = [threading.Thread(target=work, args=(k * 10**6,), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
