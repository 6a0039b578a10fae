"""``merak features``: build the feature matrix (on Ray), and the catalogue's documentation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command("build")
def build(
    pool: Annotated[Path, typer.Option("--pool", help="Data pool directory.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")],
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="Ray cluster address (default: MERAK_RAY_ADDRESS, else a local Ray).",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Tasks at a time (default: all CPUs).")
    ] = None,
    no_ray: Annotated[
        bool, typer.Option("--no-ray", help="Run in this process without Ray.")
    ] = False,
    ray: Annotated[
        bool,
        typer.Option("--ray", help="Start a local Ray even for a pool below the threshold."),
    ] = False,
    partition_days: Annotated[
        int | None,
        typer.Option(
            "--partition-days",
            min=1,
            help="Cut months into windows of this many days (default: by the cluster's size).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="YAML config file (its `features` section).", dir_okay=False
        ),
    ] = None,
) -> None:
    """Compute the 132 features of every declaration in the pool, point in time."""
    from merak.core.config import load_config
    from merak.core.errors import ConfigError
    from merak.features import run_build
    from merak.pool import Pool

    try:
        features = load_config(config).features
    except ConfigError as exc:
        raise _fail(f"error: {exc}", 2) from exc

    if not (pool / "declarations").is_dir() or not Pool(pool).files("declarations"):
        raise _fail(
            f"error: {pool} is not a data pool with declarations "
            f"(expected {pool}/declarations/month=YYYY-MM/*.parquet)",
            2,
        )
    if no_ray and (ray_address or workers or ray):
        raise _fail("error: --no-ray cannot be combined with --ray, --ray-address or --workers", 2)
    from merak.cluster.features import (
        LOCAL_RAY_MIN_DECLARATIONS,
        STEP_NAMES,
        pool_declarations,
        use_ray,
    )
    from merak.core.progress import Progress
    from merak.features import local_mapper

    on_ray = not no_ray and (ray or workers is not None or use_ray(pool, ray_address))
    if not on_ray and not no_ray:
        typer.echo(
            f"{pool_declarations(pool):,} declarations: fewer than "
            f"{LOCAL_RAY_MIN_DECLARATIONS:,}, so in this process (--ray starts a local Ray)",
            err=True,
        )
    with Progress.for_stderr() as progress:
        if not on_ray:
            mapper = progress.mapper(local_mapper, STEP_NAMES)
            result = run_build(
                str(pool), str(out), features, mapper=mapper, window_days=partition_days
            )
        else:
            from merak.cluster.features import build_features

            result = build_features(
                pool,
                out,
                address=ray_address,
                workers=workers,
                config=features,
                progress=progress,
                window_days=partition_days,
            )
    secs = sum(result.seconds.values())
    typer.echo(
        f"{result.rows} declarations over {len(result.months)} months in {secs:.1f} s "
        f"({result.rows / max(secs, 1e-9):,.0f} rows/s)"
    )
    typer.echo(f"matrix:   {out / 'matrix'}")
    typer.echo(f"profiles: {out / 'profiles'}")
    typer.echo(f"catalogue version: {result.catalogue_version}")


@app.command("report")
def report(
    features: Annotated[Path, typer.Option("--features", help="Feature build directory.")],
    pool: Annotated[Path, typer.Option("--pool", help="Data pool directory.")] = Path("pool"),
) -> None:
    """Per feature on this pool: coverage, distinct values, spread, and the category it lacks."""
    from merak.features import coverage_report, format_coverage

    if not (features / "matrix").is_dir():
        raise _fail(f"error: --features: expected a feature build directory, found {features}", 2)
    if not pool.is_dir():
        raise _fail(f"error: --pool: expected a data pool directory, found {pool}", 2)
    typer.echo(format_coverage(coverage_report(features, pool)))


@app.command("docs")
def docs(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here (default: stdout).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if OUT differs from the catalogue.")
    ] = False,
) -> None:
    """The catalogue as Markdown (docs/features.md is generated by this command)."""
    from merak.features import render_markdown

    text = render_markdown()
    if check:
        if out is None:
            raise _fail("error: --check needs --out", 2)
        if not out.is_file() or out.read_text() != text:
            raise _fail(f"{out} is stale; run: merak features docs --out {out}", 1)
        typer.echo(f"{out} is up to date")
        return
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        typer.echo(f"wrote {out}")
