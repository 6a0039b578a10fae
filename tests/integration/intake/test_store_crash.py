"""Killing a process while it accepts declarations loses none that it acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from merak.intake import SQLiteRecordStore

CHILD = r"""
import sys, threading
from merak.intake import SQLiteRecordStore
store = SQLiteRecordStore(sys.argv[1], "declarations")
out = open(sys.argv[2], "a", buffering=1)
lock = threading.Lock()
def worker(w):
    i = 0
    while True:
        did = f"W{w}-{i}"
        store.accept(did, did.encode() * 20, i)
        with lock:
            out.write(did + "\n")  # acknowledged only after accept returned
        i += 1
for w in range(4):
    threading.Thread(target=worker, args=(w,), daemon=True).start()
threading.Event().wait()
"""


def test_sigkill_during_accepts_loses_no_acknowledged_declaration(tmp_path: Path) -> None:
    db, acks = tmp_path / "intake.db", tmp_path / "acks.txt"
    acks.touch()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(acks)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(acks.read_text().splitlines()) < 300:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    acked = [line for line in acks.read_text().splitlines() if line]
    assert len(acked) >= 300, "the child acknowledged too little to make the test meaningful"
    store = SQLiteRecordStore(db, "declarations")
    try:
        missing = [d for d in acked if store.payload(d) != d.encode() * 20]
        assert missing == []
        assert store.count() >= len(acked)
    finally:
        store.close()
