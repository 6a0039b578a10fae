"""Ray plumbing shared by the cluster jobs: connect to a local or remote Ray, map tasks."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from merak.core.errors import MerakError
from merak.core.progress import Progress

ENV_ADDRESS = "MERAK_RAY_ADDRESS"
ENV_CONNECT_TIMEOUT = "MERAK_RAY_CONNECT_TIMEOUT_S"
DEFAULT_CONNECT_TIMEOUT_S = 5.0


class RayUnavailableError(MerakError):
    """No Ray cluster answers at the configured address (one line, for the console)."""


def resolve_address(address: str | None) -> str | None:
    """The Ray address to use: the argument, else ``MERAK_RAY_ADDRESS``, else None (local)."""
    value = address if address is not None else os.environ.get(ENV_ADDRESS, "")
    return value or None


def _connect_timeout() -> float:
    raw = os.environ.get(ENV_CONNECT_TIMEOUT, "")
    try:
        value = float(raw) if raw else DEFAULT_CONNECT_TIMEOUT_S
    except ValueError:
        raise RayUnavailableError(
            f"{ENV_CONNECT_TIMEOUT}: expected seconds (a number), found {raw!r}"
        ) from None
    if value <= 0:
        raise RayUnavailableError(f"{ENV_CONNECT_TIMEOUT}: expected > 0, found {raw!r}")
    return value


def _host_port(address: str) -> tuple[str, int] | None:
    """(host, port) of a ``HOST:PORT`` or ``ray://HOST:PORT`` address; None for "auto"/"local"."""
    if address in ("auto", "local"):
        return None
    bare = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = bare.rpartition(":")
    if not sep or not host:
        raise RayUnavailableError(f"Ray address {address!r}: expected HOST:PORT (or 'auto')")
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        raise RayUnavailableError(f"Ray address {address!r}: the port is not a number") from None


def check_reachable(address: str, timeout_s: float | None = None) -> None:
    """Fail in at most ``timeout_s`` with one line when nothing listens at ``address``.

    Ray itself waits up to a minute for a GCS that is not there and then raises a long
    traceback; a TCP connect to the GCS port answers the common mistakes (wrong host, no
    ``ray start --head``, a firewall) at once.
    """
    target = _host_port(address)
    if target is None:
        return
    timeout = timeout_s if timeout_s is not None else _connect_timeout()
    try:
        with socket.create_connection(target, timeout=timeout):
            return
    except TimeoutError:
        why = f"no answer within {timeout:g} s ({ENV_CONNECT_TIMEOUT} sets the wait)"
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
    raise RayUnavailableError(
        f"no Ray cluster at {address}: {why}; start one with `ray start --head` "
        f"or fix --ray-address / {ENV_ADDRESS}"
    )


def init_ray(address: str | None, **kwargs: Any) -> Any:
    """``ray.init`` that fails fast with a ``RayUnavailableError`` (one line) instead of hanging
    on an absent cluster or printing Ray's traceback. ``None`` starts a local Ray."""
    import ray

    if address is not None:
        check_reachable(address)
    try:
        ray.init(address=address, **kwargs)
    except (ConnectionError, TimeoutError, RuntimeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        where = f"at {address}" if address else "(local)"
        raise RayUnavailableError(f"cannot connect to Ray {where}: {first}") from None
    return ray


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
    init_ray(addr, **kwargs)
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
    progress: Progress | None = None,
    names: dict[str, tuple[str, str]] | None = None,
) -> Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], list[Any]]:
    """A mapper running each call as a Ray task, at most ``workers`` at a time, results in order.

    Arguments that are ``ObjectRef``s (from ``ray.put``) reach the task as their values.
    With ``progress``, each call of the mapper is a step (named by ``names`` from the
    function's ``__name__``) that advances as tasks finish.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")

    def mapper(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        import ray

        # SPREAD: one task per CPU over every node, not packed onto the driver's node first.
        remote = ray.remote(num_cpus=1, max_retries=2, scheduling_strategy="SPREAD")(fn)
        if progress is not None:
            step, unit = (names or {}).get(fn.__name__, (fn.__name__, "tasks"))
            progress.step(step, len(args), unit)
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
                if progress is not None:
                    progress.advance()
        return results

    return mapper
