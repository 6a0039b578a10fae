"""The real-time risk path: declarations accepted durably, assessed in micro-batches by the
champion model and the decision policy, put on the ledger, answered and watched.

- ``Assessor`` (``_assessor``): the micro-batching pipeline, accept -> score -> decide ->
  ledger -> stored -> watchers.
- ``ChampionSource`` (``_champion``): the registry's champion as a ``RiskModel``, in
  process (``ChampionRiskModel``) or on Ray workers (``PooledRiskModel``).
- ``BatchExplainer`` (``_explain``): the features that drove each score, ranked.
- ``AssessmentIndex`` (``_index``): assessments listed by time, channel, office, area and
  risk (derived from the record store, rebuildable).
- ``RecordStore`` (``_store``): idempotent, durable-before-reply records (declarations,
  outcomes, the feature log); ``DeclarationWriter``/``LabelWriter`` copy them to the pool.
"""

from merak.intake._assessor import (
    Assessor,
    FeatureContribution,
    RiskModel,
    RiskScore,
    Submitted,
    decode_inputs,
    encode_inputs,
    ledger_view,
    score_all,
)
from merak.intake._champion import (
    ChampionRiskModel,
    ChampionSource,
    PooledRiskModel,
    RiskPaths,
    load_online_features,
    risk_paths,
)
from merak.intake._explain import BatchExplainer, categoricals, revenue_basis
from merak.intake._hub import Hub
from merak.intake._index import AssessmentIndex, AssessmentPage, AssessmentQuery, PageTokenError
from merak.intake._labels import DeclarationWriter, LabelWriter, label_row
from merak.intake._store import (
    Accepted,
    Record,
    RecordStore,
    SQLiteRecordStore,
    StoreClosedError,
    now_ms,
)

__all__ = [
    "Accepted",
    "AssessmentIndex",
    "AssessmentPage",
    "AssessmentQuery",
    "Assessor",
    "BatchExplainer",
    "ChampionRiskModel",
    "ChampionSource",
    "DeclarationWriter",
    "FeatureContribution",
    "Hub",
    "LabelWriter",
    "PageTokenError",
    "PooledRiskModel",
    "Record",
    "RecordStore",
    "RiskModel",
    "RiskPaths",
    "RiskScore",
    "SQLiteRecordStore",
    "StoreClosedError",
    "Submitted",
    "categoricals",
    "decode_inputs",
    "encode_inputs",
    "label_row",
    "ledger_view",
    "load_online_features",
    "now_ms",
    "revenue_basis",
    "risk_paths",
    "score_all",
]
