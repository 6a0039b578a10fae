"""``merak detect``: train the NIR and vision models on simulator data, measure all three."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from merak.core.progress import Progress

app = typer.Typer(no_args_is_help=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise _fail(f"error: --seeds: expected comma-separated integers, got {text!r}") from None
    if not seeds:
        raise _fail("error: --seeds: expected at least one seed")
    return seeds


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory (nir.npz goes there).")],
    seeds: Annotated[str, typer.Option(help="Simulator seeds to calibrate on.")] = "1,2",
    val_seed: Annotated[
        int, typer.Option(help="Seed kept out of calibration (checked against --seeds).")
    ] = 7,
    scans: Annotated[int, typer.Option(min=100, help="Scans per design-ore lot and seed.")] = 6000,
    epochs: Annotated[
        int, typer.Option(min=1, help="Unused: the NIR detector has no network to train.")
    ] = 1,
) -> None:
    """Calibrate the NIR detector (its sensitivity, on the design ores) and save it (.npz)."""
    from merak.detection.evaluation import calibrate_nir_model

    train_seeds = _seeds(seeds)
    if val_seed in train_seeds:
        raise _fail(f"error: --val-seed {val_seed} is also a training seed")
    model = calibrate_nir_model(train_seeds, scans)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "nir.npz"
    model.save(path)
    typer.echo(f"NIR model: {path}")
    typer.echo(f"contaminant families: {', '.join(model.contaminants)}")
    typer.echo(
        f"design ores {', '.join(model.design_ores)}: sensitivity {model.tpr:.3f} per "
        f"contaminated scan at threshold {model.threshold:g}"
    )


@app.command("train-vision")
def train_vision(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Model directory (vision.npz goes there).")
    ] = None,
    bundle: Annotated[
        bool,
        typer.Option(help="Also rewrite the weights shipped in the package."),
    ] = False,
    seeds: Annotated[str, typer.Option(help="Simulator seeds to train on.")] = "1,2,3",
    frames: Annotated[int, typer.Option(min=2, help="Frames per ore and seed.")] = 30,
    epochs: Annotated[int, typer.Option(min=1)] = 15,
) -> None:
    """Train the inclusion network on simulator frames (torch, CPU, seeded)."""
    from merak.detection.evaluation import (
        BUNDLED_VISION_WEIGHTS,
        VISION_MODULE,
        write_bundled,
    )
    from merak.detection.evaluation import train_vision as train

    if out is None and not bundle:
        raise _fail("error: give --out DIR, --bundle, or both")
    model = train(_seeds(seeds), frames, epochs, log=lambda m: typer.echo(m, err=True))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        model.save(out / "vision.npz")
        typer.echo(f"vision model: {out / 'vision.npz'}")
    if bundle:
        digest = write_bundled(model, VISION_MODULE)
        typer.echo(f"bundled weights: {BUNDLED_VISION_WEIGHTS}")
        typer.echo(f"SHA-256 {digest} pinned in {VISION_MODULE}")
    typer.echo(f"trained on seeds {model.meta['seeds']}")


@app.command("evaluate")
def evaluate(
    models: Annotated[Path, typer.Option("--models", "-m", help="Directory with nir.npz.")],
    seed: Annotated[int, typer.Option(help="Held-out seed (never a training seed).")] = 99,
    quick: Annotated[
        bool, typer.Option(help="Smaller runs (minutes less, wider error bars).")
    ] = False,
    only: Annotated[str, typer.Option(help="radiation, nir, vision or all.")] = "all",
    ores: Annotated[
        str, typer.Option(help="NIR and vision: comma-separated ores (default: all).")
    ] = "",
) -> None:
    """Measure the algorithms on simulator seeds they never saw; JSON on stdout."""
    if only not in ("radiation", "nir", "vision", "all"):
        raise _fail(f"error: --only: expected radiation, nir, vision or all, got {only!r}")
    from merak.detection.evaluation import ORES

    chosen = tuple(o for o in ores.split(",") if o.strip()) or tuple(ORES)
    unknown = [o for o in chosen if o not in ORES]
    if unknown:
        raise _fail(f"error: --ores: unknown {', '.join(unknown)} (expected: {', '.join(ORES)})")
    from merak.core.progress import Progress

    report: dict[str, object] = {}
    with Progress.for_stderr() as progress:
        _evaluate_all(progress, report, models, seed, quick, only, chosen)
    typer.echo(json.dumps(report, indent=1, default=str))


def _evaluate_all(
    progress: Progress,
    report: dict[str, object],
    models: Path,
    seed: int,
    quick: bool,
    only: str,
    ores: tuple[str, ...] = (),
) -> None:
    """Each sensor's evaluation as one progress phase (``merak detect evaluate``)."""
    from merak.detection import NirModel
    from merak.detection.evaluation import evaluate_nir, evaluate_radiation, evaluate_vision

    if only in ("nir", "all"):
        path = models / "nir.npz"
        if not path.is_file():
            raise _fail(f"error: no NIR model at {path}; run `merak detect train -o {models}`")
        model = NirModel.load(path)
        with progress.phase("evaluate NIR"):
            report["nir"] = evaluate_nir(
                model,
                seed=seed,
                lot_scans=6000 if quick else 18000,
                lots_per_ore=2 if quick else 6,
                ores=ores or None,
            )
    if only in ("radiation", "all"):
        with progress.phase("evaluate radiation"):
            report["radiation"] = evaluate_radiation(
                seed=seed * 10 + 1,
                clean_s=1200.0 if quick else 20000.0,
                norm_s=600.0 if quick else 3000.0,
                passes=10 if quick else 40,
            )
    if only in ("vision", "all"):
        from merak.detection import InclusionDetector, VisionModel

        vpath = models / "vision.npz"
        vmodel = VisionModel.load(vpath) if vpath.is_file() else None  # else: the bundled one
        with progress.phase("evaluate vision"):
            report["vision"] = evaluate_vision(
                seed=seed * 10 + 2,
                frames_per_ore=5 if quick else 25,
                detector=InclusionDetector(model=vmodel),
                ores=ores or None,
            )


def _register_radiation() -> None:
    from merak.cli._detect_radiation import register

    register(app)


_register_radiation()
