"""The ``merak`` command line: serve, demo, and the tools of each subsystem.

Subcommand groups live in ``merak/cli/_<group>.py``, each exporting a ``typer.Typer`` named
``app``, and are registered in ``_GROUPS`` below. Heavy imports happen inside commands so
that ``merak --help`` stays fast.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from merak import __version__

app = typer.Typer(
    name="merak",
    help="Merak: customs risk assessment and bulk-mineral inspection on a verifiable ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# group name -> (module, help). Each module exports `app`.
_GROUPS: dict[str, tuple[str, str]] = {
    "auth": ("merak.cli._auth", "Credentials: hash bearer tokens for the config."),
    "hal": ("merak.cli._hal", "HAL nodes: run, record, replay, describe devices, CURVE keys."),
    "pool": ("merak.cli._pool", "The data pool: import an agency's files, show what it holds."),
    "world": ("merak.cli._world", "The synthetic trade world: generate a pool, stream it."),
    "ledger": ("merak.cli._ledger", "Evidence ledger: signing keys, exports, offline checks."),
    "assessments": ("merak.cli._assessments", "The risk queue: list and show assessments."),
    "lots": ("merak.cli._lots", "Terminal lots: list, show, watch."),
    "alerts": ("merak.cli._alerts", "Terminal alerts: watch, list, acknowledge."),
    "features": ("merak.cli._features", "Risk features: build the matrix on Ray, catalogue docs."),
    "model": ("merak.cli._model", "Risk models: train, evaluate, list the registry."),
    "detect": ("merak.cli._detect", "Detection: train the NIR model, measure the algorithms."),
    "workers": ("merak.cli._workers", "Scoring workers: grow or shrink intake's Ray actor pool."),
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"merak {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Merak command line."""


@app.command()
def serve(
    services: Annotated[
        list[str] | None,
        typer.Argument(
            help="Services to host: intake feedback models detection ledger (default: all);"
            " or console.",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML config file.", dir_okay=False)
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Override server.port (0 = any free port).")
    ] = None,
    port_file: Annotated[
        Path | None,
        typer.Option(help="Write the bound addresses here as JSON once serving."),
    ] = None,
) -> None:
    """Run gRPC services in this process until SIGTERM or Ctrl-C (``console``: the browser
    console, in a process of its own)."""
    from merak.cli._serve import run_console, run_serve

    if services and "console" in services:
        if len(services) > 1:
            typer.echo(
                "error: the console runs in a process of its own: 'merak serve console'", err=True
            )
            raise typer.Exit(2)
        raise typer.Exit(run_console(config, port, port_file))
    raise typer.Exit(run_serve(services or [], config, port, port_file))


@app.command()
def demo(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML config file.", dir_okay=False)
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="A small, fast run (the system test uses it).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="New or empty directory for world, logs and report."),
    ] = None,
    rate: Annotated[
        float | None, typer.Option(help="Declarations per second over gRPC (0: unpaced).")
    ] = None,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray", help="Retrain on a local Ray (always on Ray when models.ray_address is set)."
        ),
    ] = False,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep", help="Leave the servers and the console running until Ctrl-C to look around."
        ),
    ] = False,
) -> None:
    """The whole platform on a synthetic world: five servers as processes, live declarations,
    inspections fed back, retrain and promotion, a terminal's lots, a report, ledger verified."""
    from merak.demo import run_demo

    raise typer.Exit(run_demo(config, quick=quick, out=out, rate=rate, ray=ray, keep=keep))


def _register_groups() -> None:
    for name, (module, help_text) in _GROUPS.items():
        group = importlib.import_module(module).app
        app.add_typer(group, name=name, help=help_text)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in ``auth.tokens[].sha256`` for a bearer token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def main() -> None:
    """Console-script entry point."""
    from merak.cluster import RayUnavailableError

    _register_groups()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except RayUnavailableError as exc:
        # A Ray path that found no cluster: one line and exit 3, not Ray's traceback.
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(3)
