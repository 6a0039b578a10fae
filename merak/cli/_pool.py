"""``merak pool``: import an agency's files into the data pool, and see what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)

EXIT_REJECTS = 1
EXIT_UNUSABLE = 2


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file to import.")],
    category: Annotated[
        str,
        typer.Option(
            "--category",
            "-c",
            help="Pool table: declarations, declaration_items, "
            "manifests, logistics, inspections, ...",
        ),
    ],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", help="YAML column mapping.")],
    pool: Annotated[Path, typer.Option("--pool", help="Pool directory.")] = Path("pool"),
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Reject file (CSV); default FILE.rejects.csv")
    ] = None,
) -> None:
    """Import FILE; rejected rows go to the reject file with reasons. Exit 1 if any row was
    rejected (the good rows are imported), 2 if the file or mapping cannot be used at all."""
    from merak.pool import MappingError, Pool, PoolImportError, import_file, load_mapping

    try:
        m = load_mapping(mapping, category)
        result = import_file(Pool(pool), m, file, rejects)
    except (MappingError, PoolImportError) as exc:
        typer.echo(f"error: {exc}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(EXIT_UNUSABLE) from None
    typer.echo(
        f"{result.table}: read {result.read}, accepted {result.accepted}, "
        f"rejected {result.rejected}"
    )
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    if result.rejected:
        top = ", ".join(f"{k} ({v})" for k, v in result.reasons.most_common(8))
        typer.echo(f"rejected rows are in {result.reject_file}; problems by field: {top}", err=True)
        raise typer.Exit(EXIT_REJECTS)


@app.command("info")
def info_cmd(
    pool: Annotated[Path, typer.Option("--pool", help="Pool directory.")] = Path("pool"),
) -> None:
    """Rows, files, bytes and months held per table."""
    from merak.pool import Pool

    if not pool.is_dir():
        typer.echo(f"error: pool directory {pool} does not exist", err=True)
        raise typer.Exit(EXIT_UNUSABLE)
    infos = Pool(pool).info()
    typer.echo(f"{'table':<20}{'rows':>12}{'files':>8}{'MiB':>10}  months")
    for i in infos:
        typer.echo(
            f"{i.table:<20}{i.rows:>12}{i.files:>8}{i.bytes / 2**20:>10.1f}  "
            f"{i.first_month}..{i.last_month}"
        )
