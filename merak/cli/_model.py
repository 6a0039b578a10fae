"""``merak model``: train risk models on the feature matrix, evaluate them, list the registry."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from merak.scorer import TrainConfig, TrainResult

app = typer.Typer(no_args_is_help=True)

EXIT_BAD_INPUT = 2
_REGISTRY_HELP = "Model registry directory (default: MERAK_MODEL_REGISTRY, else ./models)."


def _registry(path: Path | None) -> Path:
    return path or Path(os.environ.get("MERAK_MODEL_REGISTRY", "models"))


def _date(text: str, option: str) -> datetime:
    try:
        d = datetime.fromisoformat(text)
    except ValueError:
        typer.echo(f"error: {option}: expected a date like 2025-06-30, found {text!r}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


@app.command("train")
def train_cmd(
    features: Annotated[Path, typer.Option("--features", help="Feature build directory.")],
    until: Annotated[str, typer.Option("--until", help="Train on declarations before DATE.")],
    pool: Annotated[Path, typer.Option("--pool", help="Data pool directory.")] = Path("pool"),
    registry: Annotated[Path | None, typer.Option("--registry", help=_REGISTRY_HELP)] = None,
    labels: Annotated[
        str, typer.Option(help="Label source: inspections, or truth (synthetic worlds).")
    ] = "inspections",
    valid_days: Annotated[
        int, typer.Option(help="Last days before --until kept for validation.")
    ] = 30,
    iterations: Annotated[int, typer.Option(help="CatBoost trees.")] = 300,
    depth: Annotated[int, typer.Option(help="CatBoost tree depth.")] = 4,
    epochs: Annotated[int, typer.Option(help="Network epochs.")] = 8,
    refit: Annotated[
        bool,
        typer.Option(
            help="After blending on the validation days, retrain both models on all rows."
        ),
    ] = True,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="Train as a Ray task on this cluster ('local': a local Ray). Default: "
            "models.ray_address of --config, else MERAK_RAY_ADDRESS, else in this process.",
        ),
    ] = None,
    no_ray: Annotated[
        bool, typer.Option("--no-ray", help="Train in this process even if Ray is configured.")
    ] = False,
    config_file: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML config file.", dir_okay=False)
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Publish despite suspected leakage and promote despite failed checks.",
        ),
    ] = False,
    min_valid_findings: Annotated[
        int, typer.Option(help="Fewest validation findings a model needs to be promoted.")
    ] = 30,
    leak_auc: Annotated[
        float,
        typer.Option(help="Single-feature validation AUC from which leakage is suspected."),
    ] = 0.95,
) -> None:
    """Train CatBoost and the network on a time split, blend, calibrate, publish a version.

    Exit 1 without publishing when a feature alone predicts the validation labels with AUC
    >= --leak-auc (suspected leakage); exit 1 with the version published as a challenger
    only when it loses to the expert rules (AUC) or to the raw-column CatBoost (precision@5
    and @10 %), or its validation has fewer than --min-valid-findings findings. --force
    publishes and promotes anyway."""
    from merak.scorer import DatasetError, LeakageError, NetConfig, TrainConfig

    end = _date(until, "--until")
    if not features.is_dir():
        raise _fail(f"--features: expected a feature build directory, found {features}")
    if not pool.is_dir():
        raise _fail(f"--pool: expected a data pool directory, found {pool}")
    if no_ray and ray_address:
        raise _fail("--no-ray cannot be combined with --ray-address")
    address = None if no_ray else _ray_address(ray_address, config_file)
    if not 0.5 < leak_auc <= 1.0:
        raise _fail(f"--leak-auc: expected a number in (0.5, 1], found {leak_auc}")
    config = TrainConfig(
        iterations=iterations, depth=depth, net=NetConfig(epochs=epochs), refit=refit,
        gate=not force, leak_auc=leak_auc, min_valid_findings=min_valid_findings,
    )  # fmt: skip
    from merak.core.progress import Progress

    where = "in this process" if address is None else f"on Ray ({address})"
    try:
        with Progress.for_stderr() as progress, progress.phase(f"train until {until} {where}"):
            result = _train(features, pool, end, registry, labels, valid_days, config, address)
    except LeakageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except DatasetError as exc:
        raise _fail(str(exc)) from None
    role = "champion" if result.champion else "challenger"
    typer.echo(f"model {result.meta.version} ({role}), catalogue {result.meta.catalogue_hash[:12]}")
    typer.echo(f"trained in {result.ran_on}")
    typer.echo(result.report)
    if result.problems:
        typer.echo(f"not promoted: {'; '.join(result.problems)} (--force promotes)", err=True)
        raise typer.Exit(1)


def _train(
    features: Path,
    pool: Path,
    end: datetime,
    registry: Path | None,
    labels: str,
    valid_days: int,
    config: TrainConfig,
    address: str | None,
) -> TrainResult:
    """Train and publish here, or as a Ray job when ``address`` is set."""
    if address is None:
        from merak.scorer import train_and_publish

        return train_and_publish(
            features, pool, end, _registry(registry), labels=labels, valid_days=valid_days,
            config=config,
        )  # fmt: skip
    from merak.cluster.retrain import train_on_ray

    return train_on_ray(
        features, pool, end, _registry(registry), labels=labels, valid_days=valid_days,
        config=config, address=address,
    )  # fmt: skip


def _ray_address(option: str | None, config_file: Path | None) -> str | None:
    """Where to train: the option, else the config's models.ray_address (file or
    MERAK__MODELS__RAY_ADDRESS), else MERAK_RAY_ADDRESS; None = in this process."""
    from merak.cluster import resolve_address
    from merak.core.config import load_config
    from merak.core.errors import MerakError

    if option:
        return option
    try:
        configured = load_config(config_file).models.ray_address
    except MerakError as exc:
        raise _fail(f"--config: {exc}") from None
    return resolve_address(configured or None)


@app.command("evaluate")
def evaluate_cmd(
    model: Annotated[str, typer.Option("--model", help="Model version, e.g. v0001.")],
    date_from: Annotated[str, typer.Option("--from", help="First lodgement date (inclusive).")],
    date_to: Annotated[str, typer.Option("--to", help="Last lodgement date (exclusive).")],
    features: Annotated[Path, typer.Option("--features", help="Feature build directory.")] = Path(
        "features"
    ),
    pool: Annotated[Path, typer.Option("--pool", help="Data pool directory.")] = Path("pool"),
    registry: Annotated[Path | None, typer.Option("--registry", help=_REGISTRY_HELP)] = None,
    labels: Annotated[
        str, typer.Option(help="Label source: inspections or truth.")
    ] = "inspections",
) -> None:
    """Selection metrics of a version on a later slice: ensemble, CatBoost, network, rules,
    random."""
    from merak.core.errors import MerakError
    from merak.scorer import DatasetError, evaluate_version

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    if end <= start:
        raise _fail(f"--to: expected a date after --from ({date_from}), found {date_to}")
    try:
        _, report = evaluate_version(
            model, features, pool, start, end, _registry(registry), labels=labels
        )
    except (DatasetError, MerakError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"model {model} on {start.date()} .. {end.date()}")
    typer.echo(report)


@app.command("list")
def list_cmd(
    registry: Annotated[Path | None, typer.Option("--registry", help=_REGISTRY_HELP)] = None,
) -> None:
    """Every version: role, training window, catalogue hash, parent, validation AUC."""
    from merak.scorer import ModelRegistry

    reg = ModelRegistry(_registry(registry))
    champion = reg.champion()
    challengers: set[str] = set(reg.challengers())
    typer.echo(f"{'version':<9}{'role':<12}{'trained until':<27}{'catalogue':<14}{'parent':<9}AUC")
    for m in reg.list():
        role = (
            "champion"
            if m.version == champion
            else "challenger"
            if m.version in challengers
            else ""
        )
        auc = m.metrics.get("validation", {}).get("ensemble", {}).get("auc")
        auc_text = f"{auc:.3f}" if isinstance(auc, float) else "-"
        typer.echo(
            f"{m.version:<9}{role:<12}{m.train_until:<27}{m.catalogue_hash[:12]:<14}"
            f"{m.parent or '-':<9}{auc_text}"
        )
