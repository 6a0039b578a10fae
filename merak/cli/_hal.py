"""``merak hal``: run a HAL node, record and replay frame streams, describe devices, make keys."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True)

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="Node YAML file.", dir_okay=False)]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _load(config: Path) -> Any:
    from merak.core.errors import MerakError
    from merak.hal import load_node_config

    try:
        return load_node_config(config)
    except MerakError as exc:
        _fail(str(exc))


@app.command()
def run(
    config: ConfigOpt,
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds.")] = None,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    metrics_port: Annotated[
        int | None,
        typer.Option(
            envvar="MERAK_HAL_METRICS_PORT",
            min=0,
            max=65535,
            help="Serve Prometheus metrics on this port (0: any free port; default: none).",
        ),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(envvar="MERAK_HAL_METRICS_HOST", help="Address of the metrics port.")
    ] = "127.0.0.1",
) -> None:
    """Start the configured devices and stream every frame to the receiver until SIGTERM.

    On exit: per-sensor stats as JSON; exit status 1 when frames were not delivered (the
    receiver did not acknowledge them, or the buffer dropped them)."""
    from merak.core.errors import MerakError
    from merak.core.logs import configure_logging
    from merak.hal.node import Node

    configure_logging(log_level.upper(), "json")
    cfg = _load(config)
    node = Node(cfg)
    try:
        node.start()
    except MerakError as exc:
        _fail(str(exc))
    if metrics_port is not None:
        from merak.hal import serve_node_metrics

        _, bound = serve_node_metrics(node.stats, metrics_host, metrics_port)
        typer.echo(f"metrics: http://{metrics_host}:{bound}/metrics", err=True)
    signal.signal(signal.SIGTERM, lambda *_: node.request_stop())
    with contextlib.suppress(KeyboardInterrupt):
        node.run(duration)
    stats = node.stop()
    undelivered = Node.undelivered_total(stats)
    typer.echo(json.dumps({"stats": stats, "undelivered": undelivered}, sort_keys=True))
    if undelivered:
        typer.echo(
            f"error: {undelivered} frame(s) not delivered to {cfg.endpoint} "
            "(not acknowledged by the receiver, or dropped by the buffer)",
            err=True,
        )
        raise typer.Exit(1)


@app.command()
def describe(config: ConfigOpt) -> None:
    """Connect each configured device and print what it measures (JSON)."""
    from merak.core.errors import MerakError
    from merak.hal import create_device

    cfg = _load(config)
    out = []
    for sensor in cfg.sensors:
        try:
            with create_device(sensor, cfg.scenario) as dev:
                if sensor.settings:
                    dev.configure(**sensor.settings)
                d = dev.describe()
        except MerakError as exc:
            _fail(f"{sensor.id}: {exc}")
        out.append(
            {
                "sensor_id": d.sensor_id,
                "kind": d.kind.value,
                "shape": list(d.shape),
                "dtype": d.dtype,
                "units": d.units,
                "calibration_id": d.calibration_id,
                "rate_hz": d.rate_hz,
                "belt_id": d.belt_id,
                "model": d.model,
                "frame_bytes": d.frame_bytes,
                "data_rate_bytes_per_s": d.data_rate_bytes_per_s,
                "axes": {
                    k: [v[0], v[-1], len(v)] if len(v) > 3 else list(v) for k, v in d.axes.items()
                },
            }
        )
    typer.echo(json.dumps(out, indent=2))


@app.command()
def record(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Recording file to write.", dir_okay=False)
    ],
    bind: Annotated[
        str, typer.Option(help="Endpoint to bind (tcp://host:port, port * = any).")
    ] = "tcp://127.0.0.1:5700",
    curve_secret: Annotated[
        Path | None, typer.Option(help="Receiver's CURVE secret key file.")
    ] = None,
    authorized_keys: Annotated[
        Path | None, typer.Option(help="Directory of allowed node public keys.")
    ] = None,
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds.")] = None,
    frames: Annotated[int | None, typer.Option(help="Stop after this many frames.")] = None,
    endpoint_file: Annotated[
        Path | None, typer.Option(help="Write the bound endpoint here.")
    ] = None,
) -> None:
    """Receive frames from HAL nodes and record them (all types) until a limit or SIGTERM."""
    from merak.core.errors import MerakError
    from merak.hal import CurveServer, FrameReceiver, Recorder

    if (curve_secret is None) != (authorized_keys is None):
        _fail("--curve-secret and --authorized-keys go together")
    curve = (
        CurveServer(str(curve_secret), str(authorized_keys))
        if curve_secret and authorized_keys
        else None
    )
    try:
        rx = FrameReceiver(bind, curve=curve)
    except (MerakError, Exception) as exc:
        _fail(f"cannot bind {bind}: {exc}")
    if endpoint_file is not None:
        endpoint_file.write_text(rx.endpoint, encoding="utf-8")
    typer.echo(f"listening on {rx.endpoint}", err=True)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    end = None if duration is None else time.monotonic() + duration
    with Recorder(out, flush_each=True) as rec:
        try:
            while not stop["now"] and (end is None or time.monotonic() < end):
                if frames is not None and rec.frames >= frames:
                    break
                got = rx.recv_raw(0.1)
                if got is not None:
                    rec.write(got[2], got[3])
        except KeyboardInterrupt:
            pass
        rx.ack_now()
        count = rec.frames
    summary = {
        sid: {
            "data": s.data_frames,
            "heartbeats": s.heartbeats,
            "gaps": s.gap_frames,
            "lost_reported": s.lost_reported,
            "lost_unexplained": s.lost_unexplained,
            "first_seq": s.first_seq,
            "last_seq": s.last_seq,
        }
        for sid, s in rx.stats().items()
    }
    rx.close()
    typer.echo(json.dumps({"frames": count, "sensors": summary}, sort_keys=True))


@app.command()
def replay(
    recording: Annotated[Path, typer.Argument(help="Recording file.", exists=True, dir_okay=False)],
    to: Annotated[str, typer.Option("--to", help="Receiver endpoint to send to.")],
    speed: Annotated[str, typer.Option(help="realtime (paced by capture time) or max.")] = "max",
    curve_secret: Annotated[Path | None, typer.Option(help="Node's CURVE secret key file.")] = None,
    server_key: Annotated[
        Path | None, typer.Option(help="Receiver's CURVE public key file.")
    ] = None,
    flush_timeout: Annotated[float, typer.Option(help="Seconds to wait for the last acks.")] = 30.0,
) -> None:
    """Send a recording to a receiver, headers and payloads unchanged."""
    from merak.core.errors import MerakError
    from merak.hal import CurveClient, FrameSender
    from merak.hal import replay as replay_file

    if speed not in ("realtime", "max"):
        _fail(f"--speed: expected realtime or max, got {speed!r}")
    if (curve_secret is None) != (server_key is None):
        _fail("--curve-secret and --server-key go together")
    curve = CurveClient(str(curve_secret), str(server_key)) if curve_secret and server_key else None
    try:
        tx = FrameSender(to, curve=curve, buffer_frames=10_000, heartbeat_s=1e9)
        count = replay_file(recording, tx.push_raw, speed=speed)
    except MerakError as exc:
        _fail(str(exc))
    done = tx.flush(flush_timeout)
    stats = tx.stats()
    tx.close()
    typer.echo(json.dumps({"frames": count, "acknowledged": done, "stats": stats}, sort_keys=True))
    if not done:
        sys.exit(1)


@app.command()
def keygen(
    directory: Annotated[Path, typer.Argument(help="Where to write NAME.key and NAME.key_secret.")],
    name: Annotated[str, typer.Argument(help="Key name, e.g. the node id or 'receiver'.")],
) -> None:
    """Create a CURVE key pair (zmq.auth certificate files)."""
    from merak.hal import create_keypair

    public, secret = create_keypair(directory, name)
    typer.echo(f"public: {public}\nsecret: {secret}")
