"""``merak world``: generate the synthetic trade world, or stream its declarations."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)


def _config(declarations: int, seed: int, fraud_rate: float, days: int):  # type: ignore[no-untyped-def]
    from merak.pool.synth import WorldConfig

    try:
        return WorldConfig(declarations=declarations, seed=seed, fraud_rate=fraud_rate, days=days)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command("generate")
def generate_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Pool directory to write.")],
    declarations: Annotated[int, typer.Option(help="Number of declarations.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same world.")] = 7,
    fraud_rate: Annotated[float, typer.Option(help="Share of fraudulent declarations.")] = 0.03,
    days: Annotated[int, typer.Option(help="Length of the period in days.")] = 365,
) -> None:
    """Write a full pool (all nine categories) and its ground truth (OUT/_truth)."""
    from merak.pool.synth import generate, write_world

    if out.exists() and any(out.iterdir()):
        typer.echo(f"error: {out} is not empty; choose a new directory", err=True)
        raise typer.Exit(2)
    from merak.core.progress import Progress

    cfg = _config(declarations, seed, fraud_rate, days)
    with Progress.for_stderr() as progress:
        t0 = time.perf_counter()
        with progress.phase(f"generate a world of {declarations:,} declarations"):
            world = generate(cfg)
        t1 = time.perf_counter()
        with progress.phase(f"write the pool to {out}"):
            counts = write_world(world, out)
        t2 = time.perf_counter()
    for name, rows in counts.items():
        typer.echo(f"{name:<20}{rows:>12}")
    typer.echo(
        f"fraud rate {world.stats['fraud_rate']:.4f}, inspected "
        f"{world.stats['inspection_rate']:.4f}, legacy hit rate "
        f"{world.stats['hit_rate']:.4f}"
    )
    typer.echo(f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s to {out}")


@app.command("export")
def export_cmd(
    pool: Annotated[Path, typer.Option("--pool", help="A generated world's pool directory.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write.")],
    fmt: Annotated[
        str, typer.Option("--format", help="Export shape: agency (the only one so far).")
    ] = "agency",
    seed: Annotated[int, typer.Option(help="Seed of the export's own noise.")] = 0,
) -> None:
    """Write the world as an agency's own export: declarations.csv, items.csv, outcomes.csv
    (date-only local times, local currency with decimal commas, national codes, country
    names, no other categories) and the mapping files that import them back."""
    from merak.pool import Pool
    from merak.pool.synth import export_agency

    if fmt != "agency":
        typer.echo(f"error: --format: expected agency, found {fmt!r}", err=True)
        raise typer.Exit(2)
    if not Pool(pool).files("declarations"):
        typer.echo(f"error: --pool: {pool} holds no declarations", err=True)
        raise typer.Exit(2)
    if out.exists() and any(out.iterdir()):
        typer.echo(f"error: {out} is not empty; choose a new directory", err=True)
        raise typer.Exit(2)
    counts = export_agency(pool, out, seed=seed)
    for name, rows in counts.items():
        typer.echo(f"{name + '.csv':<20}{rows:>12}")
    typer.echo(
        f"import: merak pool import {out}/declarations.csv -c declarations "
        f"-m {out}/declarations.yaml --pool POOL (then items -c declaration_items, "
        "outcomes -c inspections)"
    )


@app.command("stream")
def stream_cmd(
    declarations: Annotated[int, typer.Option(help="Number of declarations.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    rate: Annotated[
        float, typer.Option(help="Declarations per second; 0 = as fast as possible.")
    ] = 0.0,
    limit: Annotated[int, typer.Option(help="Stop after this many (0 = all).")] = 0,
) -> None:
    """Print declarations as JSON lines (merak.v1.Declaration) in lodgement-time order."""
    from google.protobuf import json_format

    from merak.pool.synth import generate, stream

    world = generate(_config(declarations, seed, 0.03, 365))
    start = time.monotonic()
    for i, msg in enumerate(stream(world)):
        if limit and i >= limit:
            break
        if rate > 0:
            wait = start + i / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        sys.stdout.write(json_format.MessageToJson(msg, indent=None) + "\n")
    sys.stdout.flush()
