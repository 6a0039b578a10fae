"""ModelService: the model registry over gRPC — list, get, promote (and roll back).

Promotion verifies the version (file hashes, feature-catalogue hash) and loads it before
it becomes champion; a refused version leaves the current champion serving. Every
promotion is a ledger entry. Comparing on live outcomes and retraining arrive with the
self-improving loop and answer UNIMPLEMENTED until then.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import grpc

from merak.core.errors import NotFoundError, PreconditionError, Violations
from merak.features import catalogue_version
from merak.ledger import model_promotion_entry
from merak.v1 import ledger_pb2, model_pb2, model_pb2_grpc
from scorer import (
    CatalogueMismatchError,
    CorruptModelError,
    ModelFormatError,
    ModelMeta,
    ModelNotFoundError,
    ModelRegistry,
)
from services._evidence import Evidence, evidence_for
from services._identity import current_caller
from services._registry import ServiceContext
from services._status import grpc_errors
from services._unimplemented import unimplemented_servicer

log = logging.getLogger("merak.models")

_SERVICE = model_pb2.DESCRIPTOR.services_by_name["ModelService"]


def _ts(text: str, field: object) -> None:
    if text:
        try:
            field.FromDatetime(datetime.fromisoformat(text).replace(tzinfo=UTC))  # type: ignore[attr-defined]
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


def _registry_error(exc: Exception) -> Exception:
    if isinstance(exc, ModelNotFoundError):
        return NotFoundError("model version", str(exc))
    if isinstance(exc, CatalogueMismatchError | CorruptModelError | ModelFormatError):
        return PreconditionError(f"model refused, the champion is unchanged: {exc}")
    return exc


class Models:
    """Registry operations with evidence."""

    def __init__(self, registry: ModelRegistry, catalogue_hash: str, evidence: Evidence):
        self.registry = registry
        self.catalogue_hash = catalogue_hash
        self.evidence = evidence

    def list(self) -> list[model_pb2.ModelVersion]:
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
            raise _registry_error(exc) from exc
        model = self.get(version)
        promotion = ledger_pb2.ModelPromotion(
            model=model, previous_version=previous or "", reason=reason, promoted_by=by
        )
        promotion.promoted_time.GetCurrentTime()
        ref = self.evidence.append(model_promotion_entry(promotion))
        log.info("model promoted", extra={"version": version, "previous": previous, "by": by})
        return model, ref.index


class ModelServicer(
    unimplemented_servicer(  # type: ignore[misc]
        model_pb2_grpc.ModelServiceServicer,
        _SERVICE,
        skip=("ListModels", "GetModel", "PromoteModel"),
    )
):
    """Thin: check the request, then ``Models``."""

    def __init__(self, models: Models):
        self.models = models

    @grpc_errors
    def ListModels(
        self, request: model_pb2.ListModelsRequest, context: grpc.ServicerContext
    ) -> model_pb2.ListModelsResponse:
        return model_pb2.ListModelsResponse(models=self.models.list())

    @grpc_errors
    def GetModel(
        self, request: model_pb2.GetModelRequest, context: grpc.ServicerContext
    ) -> model_pb2.GetModelResponse:
        v = Violations()
        if not request.version:
            v.add("version", "required")
        v.raise_if_any("invalid request")
        return model_pb2.GetModelResponse(model=self.models.get(request.version))

    @grpc_errors
    def PromoteModel(
        self, request: model_pb2.PromoteModelRequest, context: grpc.ServicerContext
    ) -> model_pb2.PromoteModelResponse:
        v = Violations()
        if not request.version:
            v.add("version", "required")
        if not request.reason.strip():
            v.add("reason", "required: why, for the ledger")
        v.raise_if_any("invalid request")
        model, index = self.models.promote(
            request.version, request.reason, current_caller().identity
        )
        return model_pb2.PromoteModelResponse(model=model, ledger_index=index)


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    registry = ctx.shared("model-registry", lambda: ModelRegistry(ctx.data_dir / "models"))
    # The hash of the feature catalogue (and its parameters) this server computes with.
    models = Models(registry, catalogue_version(), evidence_for(ctx, "models"))
    model_pb2_grpc.add_ModelServiceServicer_to_server(ModelServicer(models), server)
    return [_SERVICE.full_name]
