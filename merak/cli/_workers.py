"""``merak workers``: grow or shrink the Ray actor pool that scores intake's declarations.

The desired size lives in a named, detached Ray actor (``merak-workers-<group>`` in the
``merak`` namespace); every intake server of that group follows it between batches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True)

EXIT_BAD_INPUT = 2

_ADDRESS_HELP = (
    "Ray address (default: risk.ray_address, then models.ray_address of --config, "
    "then MERAK_RAY_ADDRESS, then the running cluster)."
)


def _settings(config: Path | None, address: str | None, group: str | None) -> tuple[str, str]:
    from merak.core.config import load_config
    from merak.core.errors import ConfigError

    try:
        cfg = load_config(config) if config is not None else load_config(environ={})
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    import os

    addr = (
        address
        or cfg.risk.ray_address
        or cfg.models.ray_address
        or os.environ.get("MERAK_RAY_ADDRESS", "")
        or "auto"
    )
    return addr, group or cfg.risk.workers_group


def _show(status: dict[str, Any], as_json: bool, group: str) -> None:
    if as_json:
        typer.echo(json.dumps({"group": group, **status}))
    else:
        typer.echo(f"workers {group}: desired {status['desired']}, live {status['live']}")


@app.command("scale")
def scale_cmd(
    size: Annotated[int, typer.Argument(help="Desired number of scoring workers (>= 1).")],
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Merak config.")] = None,
    address: Annotated[str | None, typer.Option("--address", help=_ADDRESS_HELP)] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Worker group (default: risk.workers_group).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Set the desired size of the pool; running intake servers follow within a batch."""
    if size < 1:
        typer.echo(f"error: SIZE: expected >= 1, found {size}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    from merak.cluster.workers import scale

    addr, name = _settings(config, address, group)
    _show(scale(name, size, addr), as_json, name)


@app.command("status")
def status_cmd(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Merak config.")] = None,
    address: Annotated[str | None, typer.Option("--address", help=_ADDRESS_HELP)] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Worker group (default: risk.workers_group).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Desired and live size of the pool."""
    from merak.cluster.workers import status

    addr, name = _settings(config, address, group)
    found = status(name, addr)
    if found is None:
        typer.echo(f"error: no worker pool {name!r} on this Ray cluster", err=True)
        raise typer.Exit(1)
    _show(found, as_json, name)
