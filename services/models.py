"""ModelService: the registry and the self-improving loop over gRPC — list, get, compare,
promote (and roll back), retrain. Thin: check the request, then ``merak.models.Models``
(promotion checks, shadow comparison and retraining are described there).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import grpc

from merak.core.errors import Violations
from merak.core.validate import check_name, selection_time
from merak.features import catalogue_version
from merak.models import Models
from merak.scorer import DEFAULT_SHARES, SelectorMetrics
from merak.services._context import ServiceContext
from merak.services._identity import current_caller
from merak.services._status import grpc_errors
from merak.v1 import model_pb2, model_pb2_grpc

log = logging.getLogger("merak.models")

_SERVICE = model_pb2.DESCRIPTOR.services_by_name["ModelService"]


def _metrics_proto(m: SelectorMetrics) -> list[model_pb2.SelectionMetric]:
    out = []
    for name, values in (("precision", m.precision), ("recall", m.recall), ("revenue", m.revenue)):
        for pct in DEFAULT_SHARES:
            out.append(model_pb2.SelectionMetric(name=name, at_percent=pct, value=values[pct]))
    return out


class ModelServicer(model_pb2_grpc.ModelServiceServicer):
    """Thin: check the request, then ``Models``."""

    def __init__(self, models: Models):
        self.models = models

    @grpc_errors
    def CompareModels(
        self, request: model_pb2.CompareModelsRequest, context: grpc.ServicerContext
    ) -> model_pb2.CompareModelsResponse:
        champion = request.champion_version or self.models.registry.champion()
        challengers = self.models.registry.challengers()
        challenger = request.challenger_version or (challengers[-1] if challengers else "")
        v = Violations()
        if not champion:
            v.add("champion_version", "required: there is no champion to compare with")
        check_name(request.champion_version, "champion_version", v, required=False)
        if not challenger:
            v.add("challenger_version", "required: there is no challenger")
        check_name(request.challenger_version, "challenger_version", v, required=False)
        for name in ("from_time", "to_time"):
            if request.HasField(name):
                selection_time(getattr(request, name), name, v)
        v.raise_if_any("invalid request")
        end = (
            request.to_time.ToDatetime(tzinfo=UTC)
            if request.HasField("to_time")
            else datetime.now(UTC)
        )
        start = (
            request.from_time.ToDatetime(tzinfo=UTC)
            if request.HasField("from_time")
            else end - timedelta(days=30)
        )
        cmp = self.models.compare(champion or "", challenger, start, end)
        return model_pb2.CompareModelsResponse(
            champion_metrics=_metrics_proto(cmp.champion),
            challenger_metrics=_metrics_proto(cmp.challenger),
            labelled_count=cmp.labelled,
            challenger_better=cmp.challenger_better,
        )

    @grpc_errors
    def RetrainModel(
        self, request: model_pb2.RetrainModelRequest, context: grpc.ServicerContext
    ) -> model_pb2.RetrainModelResponse:
        v = Violations()
        if request.HasField("until_time"):
            selection_time(request.until_time, "until_time", v)
        v.raise_if_any("invalid request")
        until = (
            request.until_time.ToDatetime(tzinfo=UTC)
            if request.HasField("until_time")
            else datetime.now(UTC)
        )
        return model_pb2.RetrainModelResponse(job_id=self.models.retrain(until))

    @grpc_errors
    def GetDrift(
        self, request: model_pb2.GetDriftRequest, context: grpc.ServicerContext
    ) -> model_pb2.GetDriftResponse:
        v = Violations()
        for name in ("from_time", "to_time", "reference_from_time", "reference_to_time"):
            if request.HasField(name):
                selection_time(getattr(request, name), name, v)
        if not 0 <= request.top <= 1000:
            v.add("top", f"expected 0..1000, got {request.top}")
        v.raise_if_any("invalid request")

        def at(name: str, default: datetime) -> datetime:
            if request.HasField(name):
                return getattr(request, name).ToDatetime(tzinfo=UTC)  # type: ignore[no-any-return]
            return default

        end = at("to_time", datetime.now(UTC))
        start = at("from_time", end - timedelta(days=7))
        ref_end = at("reference_to_time", start)
        ref_start = at("reference_from_time", ref_end - timedelta(days=28))
        if not (start < end and ref_start < ref_end):
            v.add("from_time", "each window must start before it ends")
            v.raise_if_any("invalid request")
        drift, n_ref, n_cur = self.models.drift((ref_start, ref_end), (start, end))
        top = drift[: request.top] if request.top else drift
        return model_pb2.GetDriftResponse(
            features=[
                model_pb2.FeatureDrift(
                    feature_id=d.feature_id,
                    name=d.name,
                    psi=d.psi,
                    reference_mean=d.reference_mean,
                    current_mean=d.current_mean,
                    reference_missing=d.reference_missing,
                    current_missing=d.current_missing,
                )
                for d in top
            ],
            reference_count=n_ref,
            current_count=n_cur,
        )

    @grpc_errors
    def ListModels(
        self, request: model_pb2.ListModelsRequest, context: grpc.ServicerContext
    ) -> model_pb2.ListModelsResponse:
        return model_pb2.ListModelsResponse(models=self.models.versions())

    @grpc_errors
    def GetModel(
        self, request: model_pb2.GetModelRequest, context: grpc.ServicerContext
    ) -> model_pb2.GetModelResponse:
        v = Violations()
        check_name(request.version, "version", v)
        v.raise_if_any("invalid request")
        return model_pb2.GetModelResponse(model=self.models.get(request.version))

    @grpc_errors
    def PromoteModel(
        self, request: model_pb2.PromoteModelRequest, context: grpc.ServicerContext
    ) -> model_pb2.PromoteModelResponse:
        v = Violations()
        check_name(request.version, "version", v)
        if not request.reason.strip():
            v.add("reason", "required: why, for the ledger")
        v.raise_if_any("invalid request")
        model, index = self.models.promote(
            request.version, request.reason, current_caller().identity
        )
        return model_pb2.PromoteModelResponse(model=model, ledger_index=index)


def register(server: grpc.Server, ctx: ServiceContext) -> list[str]:
    models = Models(
        ctx.model_registry(),
        # The hash of the feature catalogue (and its parameters) this server computes with.
        catalogue_version(ctx.config.features),
        ctx.ledger_writer("models"),
        ctx.config.models,
        ctx.outcomes(),
        ctx.feature_log(),
        pool_dir=str(ctx.paths.pool),
        work_dir=str(ctx.data_dir / "retrain"),
        # Pool writers of this process are flushed before a retrain reads the pool.
        flush=ctx.pool_writers(),
        features=ctx.config.features,
    )
    model_pb2_grpc.add_ModelServiceServicer_to_server(ModelServicer(models), server)
    return [_SERVICE.full_name]
