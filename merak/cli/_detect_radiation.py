"""``merak detect evaluate-radiation``: the portal detector on held-out vehicle families."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the command to ``merak detect``."""
    app.command("evaluate-radiation")(evaluate_radiation)


def evaluate_radiation(
    clean: Annotated[
        int, typer.Option(min=30, help="Clean held-out occupancies (all types).")
    ] = 20_000,
    sources: Annotated[int, typer.Option(min=30, help="Occupancies carrying a source.")] = 6_000,
    norm: Annotated[int, typer.Option(min=3, help="NORM loads (potash, phosphate).")] = 2_000,
    tune: Annotated[
        int, typer.Option(min=30, help="Clean tuning occupancies per type left out.")
    ] = 600,
    seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 0,
    family: Annotated[
        str, typer.Option(help="Generator measured on: other (independent) or ours.")
    ] = "other",
    false_alarm: Annotated[
        float, typer.Option(help="False-alarm probability per occupancy asked for.")
    ] = 1e-4,
) -> None:
    """Leave one vehicle type out: tune on the others, measure on it; JSON on stdout."""
    if family not in ("other", "ours"):
        typer.echo(f"error: --family: expected other or ours, got {family!r}", err=True)
        raise typer.Exit(2)
    if not 0.0 < false_alarm < 1.0:
        typer.echo(f"error: --false-alarm: expected 0 < p < 1, got {false_alarm!r}", err=True)
        raise typer.Exit(2)
    from merak.detection import RadiationConfig
    from merak.detection.evaluation import evaluate_held_out

    report = evaluate_held_out(
        n_clean=clean,
        n_source=sources,
        n_norm=norm,
        n_tune=tune,
        seed=seed,
        base=RadiationConfig(false_alarm_per_occupancy=false_alarm),
        family=family,
    )
    typer.echo(json.dumps(report, indent=1, default=str))
