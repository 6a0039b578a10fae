"""Ray plumbing shared by the cluster jobs: connect to a local or remote Ray, map tasks."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

ENV_ADDRESS = "MERAK_RAY_ADDRESS"


def resolve_address(address: str | None) -> str | None:
    """The Ray address to use: the argument, else ``MERAK_RAY_ADDRESS``, else None (local)."""
    value = address if address is not None else os.environ.get(ENV_ADDRESS, "")
    return value or None


@contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[Any]:
    """Use the running Ray, or connect to ``address``, or start a local one for the block.

    Only a Ray this function started is shut down on exit; a caller's Ray stays up. Started
    from a thread other than the main one (a server's background job), it is left up for the
    life of the process and reused by the next session: ``ray.shutdown`` resets SIGTERM to its
    default action, which only the main thread could undo, and a server would then die on
    SIGTERM instead of stopping gracefully. Ray's own exit hook shuts it down at exit.
    """
    import ray

    if ray.is_initialized():
        yield ray
        return
    addr = resolve_address(address)
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    if addr is None and num_cpus is not None:
        kwargs["num_cpus"] = num_cpus
    ray.init(address=addr, **kwargs)
    try:
        yield ray
    finally:
        if threading.current_thread() is threading.main_thread():
            ray.shutdown()


def serve_with_graceful_sigterm() -> None:
    """Call at the start of a long-lived server process, before Ray is imported.

    Ray installs absl's failure signal handler in every process it connects, SIGTERM
    included: it lets the process's own handler run (the server stops gracefully), then
    re-raises the signal at exit, so a server that used Ray ends in SIGABRT instead of
    exit 0. Servers turn it off (a local Ray the server starts inherits the setting; a
    cluster started with ``ray start`` keeps its handlers).
    """
    os.environ.setdefault("RAY_DISABLE_FAILURE_SIGNAL_HANDLER", "1")


def shutdown_ray() -> None:
    """Shut down this process's Ray if one is up (call it from the main thread)."""
    import sys

    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        ray.shutdown()


def ray_mapper(
    workers: int,
) -> Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], list[Any]]:
    """A mapper running each call as a Ray task, at most ``workers`` at a time, results in order.

    Arguments that are ``ObjectRef``s (from ``ray.put``) reach the task as their values.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")

    def mapper(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        import ray

        remote = ray.remote(num_cpus=1, max_retries=2)(fn)
        results: list[Any] = [None] * len(args)
        index: dict[Any, int] = {}
        in_flight: list[Any] = []
        nxt = 0
        while nxt < len(args) or in_flight:
            while nxt < len(args) and len(in_flight) < workers:
                ref = remote.remote(*args[nxt])
                index[ref] = nxt
                in_flight.append(ref)
                nxt += 1
            done, in_flight = ray.wait(in_flight, num_returns=1)
            for ref in done:
                results[index.pop(ref)] = ray.get(ref)
        return results

    return mapper
