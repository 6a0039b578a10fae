"""``merak serve``: host services in this process until SIGTERM/SIGINT, then stop gracefully."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from merak.core.config import MerakConfig, load_config
from merak.core.errors import ConfigError
from merak.core.logs import configure_logging

log = logging.getLogger("merak.serve")


def write_port_file(path: Path, info: dict[str, Any]) -> None:
    """Write ``info`` as JSON atomically, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info), encoding="utf-8")
    tmp.replace(path)


def build_config(services: list[str], config_file: Path | None, port: int | None) -> MerakConfig:
    overrides: dict[str, Any] = {}
    server: dict[str, Any] = {}
    if services:
        server["services"] = services
    if port is not None:
        server["port"] = port
    if server:
        overrides["server"] = server
    return load_config(config_file, overrides=overrides)


SWITCH_INTERVAL_S = 0.0005  # seconds; CPython default 0.005


def run_serve(
    services: list[str], config_file: Path | None, port: int | None, port_file: Path | None
) -> int:
    try:
        config = build_config(services, config_file, port)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.log.level, config.log.format)
    from merak.core.tracing import setup_tracing

    # OTLP export when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set; off otherwise.
    setup_tracing("merak-" + "-".join(config.server.services))
    from merak.cluster import serve_with_graceful_sigterm, shutdown_ray

    serve_with_graceful_sigterm()
    # Requests hop between gRPC's threads and the intake pipeline's stages; with CPython's
    # default 5 ms GIL switch interval each hop can wait that long behind a busy thread.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    from merak.services import create_server  # heavy: grpc, prometheus

    try:
        server, bound_port = create_server(config)
    except (ConfigError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal received, stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.start()
    if port_file is not None:
        write_port_file(
            port_file,
            {
                "address": server.address,
                "port": bound_port,
                "metrics_port": server.metrics_port,
                "services": server.service_names,
                "pid": os.getpid(),
                # Non-gRPC endpoints, e.g. the ZeroMQ frame receiver HAL nodes stream to.
                "endpoints": _endpoints(server),
            },
        )
    stop.wait()
    server.stop()
    shutdown_ray()  # a Ray started by a background job (e.g. a retrain), from the main thread
    return 0


def _endpoints(server: Any) -> dict[str, str]:
    ingest = getattr(server.context, "detection_ingest", None)
    return {"detection_frames": ingest.endpoint} if ingest is not None else {}


def run_console(config_file: Path | None, port: int | None, port_file: Path | None) -> int:
    """``merak serve console``: the browser console until SIGTERM or Ctrl-C."""
    overrides: dict[str, Any] = {"console": {"port": port}} if port is not None else {}
    try:
        config = load_config(config_file, overrides=overrides)
        configure_logging(config.log.level, config.log.format)
        from merak.console import create_console

        console, bound = create_console(config)
    except (ConfigError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    console.start()
    log.info("console serving", extra={"url": console.url})
    print(f"console: {console.url}/", flush=True)
    if port_file is not None:
        write_port_file(port_file, {"url": console.url, "port": bound, "pid": os.getpid()})
    stop.wait()
    console.stop()
    return 0
