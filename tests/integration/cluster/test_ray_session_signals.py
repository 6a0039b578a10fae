"""A server that ran a Ray job from a background thread still stops gracefully on SIGTERM
and exits 0 (``ray.shutdown`` in that thread would reset SIGTERM to its default action, and
Ray's failure signal handler would turn the SIGTERM into an abort at exit)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os, signal, threading, time
    from merak.cluster._ray import ray_session, serve_with_graceful_sigterm, shutdown_ray

    serve_with_graceful_sigterm()  # as `merak serve` does at start

    got = []
    signal.signal(signal.SIGTERM, lambda signum, frame: got.append(signum))

    def job():
        for i in range(2):  # the second session reuses the Ray the first one started
            with ray_session(num_cpus=1) as ray:
                assert ray.get(ray.remote(lambda: 41).remote()) + 1 == 42

    t = threading.Thread(target=job)
    t.start()
    t.join()
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.5)
    print("handled", got, flush=True)
    shutdown_ray()  # as `merak serve` does after a graceful stop, from the main thread
    """
)


def test_sigterm_reaches_the_handler_after_a_ray_session_in_a_thread() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr[-2000:]
    assert "handled [15]" in out.stdout, out.stdout + out.stderr[-2000:]
