"""The model registry with evidence, and the self-improving loop: list, get, compare,
promote (and roll back), retrain.

- Promotion verifies the version (file hashes, feature-catalogue hash) and loads it before
  it becomes champion; a refused version leaves the current champion serving. Every
  promotion is a ledger entry.
- Comparison is shadow evaluation: both versions score exactly what the champion scored
  for each declaration that has an inspection outcome (the feature log keeps the inputs),
  and their selection metrics are measured on those outcomes.
- Retraining rebuilds the features from the pool (which holds the live declarations and
  the outcomes fed back) and trains a challenger, as a Ray job; with ``models.auto_promote``
  the challenger is promoted only when its measured uplift beats the champion.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

import numpy as np
from google.protobuf import timestamp_pb2

from merak.core.config import FeatureConfig, ModelsConfig
from merak.core.errors import NotFoundError, PreconditionError
from merak.core.money import money_from_proto
from merak.features import CATALOGUE
from merak.intake import RecordStore, decode_inputs
from merak.ledger import LedgerWriter, model_promotion_entry
from merak.models._drift import FeatureDrift, feature_drift
from merak.scorer import (
    CatalogueMismatchError,
    CorruptModelError,
    ModelFormatError,
    ModelMeta,
    ModelNotFoundError,
    ModelRegistry,
    SelectorMetrics,
    evaluate,
)
from merak.v1 import feedback_pb2, ledger_pb2, model_pb2

log = logging.getLogger("merak.models")


class Flushable(Protocol):
    """A pool writer of this process (declarations, labels): flushed before a retrain."""

    def flush(self) -> None: ...


def _ts(text: str, field: timestamp_pb2.Timestamp) -> None:
    if text:
        try:
            field.FromDatetime(datetime.fromisoformat(text).replace(tzinfo=UTC))
        except ValueError:
            log.warning("unparseable time in model metadata", extra={"value": text})


def version_to_proto(
    meta: ModelMeta, champion: str | None, challengers: list[str]
) -> model_pb2.ModelVersion:
    """A registry entry as the API shows it."""
    role = model_pb2.MODEL_ROLE_RETIRED
    if meta.version == champion:
        role = model_pb2.MODEL_ROLE_CHAMPION
    elif meta.version in challengers:
        role = model_pb2.MODEL_ROLE_CHALLENGER
    out = model_pb2.ModelVersion(
        version=meta.version,
        parent_version=meta.parent or "",
        role=role,
        feature_catalogue_hash=meta.catalogue_hash,
        auc=float(meta.metrics.get("auc", 0.0) or 0.0),
    )
    _ts(meta.created, out.created_time)
    _ts(meta.train_from, out.trained_from)
    _ts(meta.train_until, out.trained_until)
    for name in ("precision", "recall", "revenue"):
        for pct in (1, 2, 5, 10):
            value = meta.metrics.get(f"{name}@{pct}")
            if isinstance(value, int | float):
                out.metrics.add(name=name, at_percent=float(pct), value=float(value))
    return out


def registry_error(exc: Exception) -> Exception:
    if isinstance(exc, ModelNotFoundError):
        return NotFoundError("model version", str(exc))
    if isinstance(exc, CatalogueMismatchError | CorruptModelError | ModelFormatError):
        return PreconditionError(f"model refused, the champion is unchanged: {exc}")
    return exc


@dataclass(frozen=True)
class Comparison:
    champion: SelectorMetrics
    challenger: SelectorMetrics
    labelled: int
    challenger_better: bool


@dataclass
class RetrainJob:
    job_id: str
    state: str = "running"
    version: str = ""
    detail: str = ""
    done: threading.Event = field(default_factory=threading.Event)


class Models:
    """Registry operations with evidence."""

    def __init__(
        self,
        registry: ModelRegistry,
        catalogue_hash: str,
        ledger: LedgerWriter,
        config: ModelsConfig | None = None,
        outcomes: RecordStore | None = None,
        scored: RecordStore | None = None,
        *,
        pool_dir: str = "",
        work_dir: str = "",
        flush: Sequence[Flushable] = (),
        features: FeatureConfig | None = None,
    ):
        self.registry = registry
        # The features section the catalogue hash was computed with; retraining builds with it.
        self.features = features
        self.catalogue_hash = catalogue_hash
        self.ledger = ledger
        self.config = config or ModelsConfig()
        self.outcomes = outcomes
        self.scored = scored
        self.jobs: dict[str, RetrainJob] = {}
        # Retraining reads the pool at ``pool_dir`` (after flushing this process's pool
        # writers) and works under ``work_dir``.
        self.pool_dir = pool_dir
        self.work_dir = work_dir
        self.flush = list(flush)

    def labelled(
        self, start: datetime, end: datetime
    ) -> tuple[np.ndarray, list[list[str]], np.ndarray, np.ndarray]:
        """Inputs, finding and revenue of declarations controlled within ``[start, end)``."""
        if self.outcomes is None or self.scored is None:
            raise PreconditionError("comparison needs the outcome store and the feature log")
        finding: dict[str, bool] = {}
        revenue: dict[str, float] = {}
        for _, payload, _ in self.outcomes.between(0, 2**62):
            o = feedback_pb2.InspectionOutcome.FromString(payload)
            # The window is on when the control happened, not when it was reported.
            if not start <= o.inspected_time.ToDatetime(tzinfo=UTC) < end:
                continue
            finding[o.declaration_id] = finding.get(o.declaration_id, False) or o.finding
            amount = float(money_from_proto(o.revenue_recovered))
            revenue[o.declaration_id] = revenue.get(o.declaration_id, 0.0) + amount
        rows, cats, y, rev = [], [], [], []
        for declaration_id in sorted(finding):
            data = self.scored.payload(declaration_id)
            if data is None:
                continue  # assessed before the feature log existed, or elsewhere
            x, c = decode_inputs(data)
            rows.append(x)
            cats.append(c)
            y.append(int(finding[declaration_id]))
            rev.append(revenue[declaration_id])
        if not rows:
            return np.zeros((0, 0)), [], np.zeros(0, np.int64), np.zeros(0)
        return np.vstack(rows), cats, np.array(y, np.int64), np.array(rev)

    def compare(self, champion: str, challenger: str, start: datetime, end: datetime) -> Comparison:
        """Both versions scored on the same labelled declarations; selection metrics."""
        x, cats, y, rev = self.labelled(start, end)
        if len(y) == 0:
            raise PreconditionError(
                f"no declarations with outcomes between {start.isoformat()} and {end.isoformat()}"
            )
        metrics = []
        for name, version in (("champion", champion), ("challenger", challenger)):
            try:
                scorer = self.registry.load(version, self.catalogue_hash)
            except Exception as exc:
                raise registry_error(exc) from exc
            p = scorer.score(x, np.array(cats, dtype=object)).probability
            metrics.append(evaluate(f"{name} {version}", p, y, rev if rev.any() else None))
        champ, chall = metrics
        better = (
            len(y) >= self.config.min_labelled
            and chall.precision[5] >= champ.precision[5] + self.config.min_uplift
            and chall.revenue[5] >= champ.revenue[5]
            and (chall.precision[5], chall.revenue[5]) != (champ.precision[5], champ.revenue[5])
        )
        return Comparison(champ, chall, len(y), better)

    def drift(
        self, reference: tuple[datetime, datetime], current: tuple[datetime, datetime]
    ) -> tuple[list[FeatureDrift], int, int]:
        """PSI of each feature the champion scored, current window against reference."""
        if self.scored is None:
            raise PreconditionError("drift needs the feature log")

        def ms(t: datetime) -> int:
            return int(t.timestamp() * 1000)

        names = [(f.id, f.name) for f in CATALOGUE]
        return feature_drift(
            self.scored,
            names,
            (ms(reference[0]), ms(reference[1])),
            (ms(current[0]), ms(current[1])),
        )

    def retrain(self, until: datetime) -> str:
        """Start a retraining job; returns its id at once."""
        job = RetrainJob(uuid.uuid4().hex[:12])
        self.jobs[job.job_id] = job

        def run() -> None:
            from merak.cluster.retrain import retrain

            try:
                for writer in self.flush:
                    writer.flush()
                result = retrain(
                    self.pool_dir,
                    f"{self.work_dir}/{job.job_id}",
                    self.registry.root,
                    until,
                    address=self.config.ray_address or None,
                    use_ray=self.config.retrain_on_ray,
                    features_config=self.features,
                )
                job.version = result.version
                champion = self.registry.champion()
                if result.champion or champion is None:
                    job.state, job.detail = "done", f"{result.version} is the first champion"
                    return
                if not self.config.auto_promote:
                    job.state, job.detail = "done", f"{result.version} added as a challenger"
                    return
                cmp = self.compare(champion, result.version, until - timedelta(days=3650), until)
                if cmp.challenger_better:
                    reason = (
                        f"retrained challenger beats {champion} on {cmp.labelled} outcomes: "
                        f"precision@5% {cmp.champion.precision[5]:.3f} -> "
                        f"{cmp.challenger.precision[5]:.3f}, revenue@5% "
                        f"{cmp.champion.revenue[5]:.3f} -> {cmp.challenger.revenue[5]:.3f}"
                    )
                    self.promote(result.version, reason, "retrain-job")
                    job.detail = f"promoted: {reason}"
                else:
                    job.detail = (
                        f"{result.version} stays a challenger: no uplift on {cmp.labelled} outcomes"
                    )
                job.state = "done"
            except Exception as exc:
                log.exception("retraining failed", extra={"job": job.job_id})
                job.state, job.detail = "failed", str(exc)
            finally:
                log.info(
                    "retrain job finished",
                    extra={"job": job.job_id, "state": job.state, "detail": job.detail},
                )
                job.done.set()

        threading.Thread(target=run, name=f"retrain-{job.job_id}", daemon=True).start()
        return job.job_id

    def versions(self) -> list[model_pb2.ModelVersion]:
        champion, challengers = self.registry.champion(), self.registry.challengers()
        return [version_to_proto(m, champion, challengers) for m in self.registry.list()]

    def get(self, version: str) -> model_pb2.ModelVersion:
        try:
            meta = self.registry.metadata(version)
        except ModelNotFoundError as exc:
            raise NotFoundError("model version", version) from exc
        return version_to_proto(meta, self.registry.champion(), self.registry.challengers())

    def promote(self, version: str, reason: str, by: str) -> tuple[model_pb2.ModelVersion, int]:
        previous = self.registry.champion()
        try:
            self.registry.load(version, self.catalogue_hash)  # verifies hashes; refuses bad files
            self.registry.set_champion(version)
        except Exception as exc:
            raise registry_error(exc) from exc
        model = self.get(version)
        promotion = ledger_pb2.ModelPromotion(
            model=model, previous_version=previous or "", reason=reason, promoted_by=by
        )
        promotion.promoted_time.GetCurrentTime()
        ref = self.ledger.append(model_promotion_entry(promotion))
        log.info("model promoted", extra={"version": version, "previous": previous, "by": by})
        return model, ref.index
