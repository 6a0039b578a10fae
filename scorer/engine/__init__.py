"""The scoring path: plain arrays and Numba kernels. Imports neither catboost nor torch."""

from merak.scorer.engine._cityhash import CatHasher, cat_hash, city_hash64, to_ctr_word
from merak.scorer.engine._format import FORMAT_VERSION, load_net, load_trees, save_net, save_trees
from merak.scorer.engine._net import CLIP, NetArrays, NetScorer
from merak.scorer.engine._risk import (
    BUNDLE_FILES,
    Blend,
    Contribution,
    Explanation,
    RiskScorer,
    Scores,
    format_value,
    reason_text,
)
from merak.scorer.engine._shap import TreeShap, feature_groups
from merak.scorer.engine._tree_scorer import TreeScorer
from merak.scorer.engine._trees import (
    CTR_BORDERS,
    CTR_BUCKETS,
    CTR_COUNTER,
    CTR_MEAN,
    KIND_CTR,
    KIND_FLOAT,
    KIND_ONEHOT,
    MAX_DEPTH,
    TreeEnsemble,
)

__all__ = [
    "BUNDLE_FILES",
    "CLIP",
    "CTR_BORDERS",
    "CTR_BUCKETS",
    "CTR_COUNTER",
    "CTR_MEAN",
    "FORMAT_VERSION",
    "KIND_CTR",
    "KIND_FLOAT",
    "KIND_ONEHOT",
    "MAX_DEPTH",
    "Blend",
    "CatHasher",
    "Contribution",
    "Explanation",
    "NetArrays",
    "NetScorer",
    "RiskScorer",
    "Scores",
    "TreeEnsemble",
    "TreeScorer",
    "TreeShap",
    "cat_hash",
    "city_hash64",
    "feature_groups",
    "format_value",
    "load_net",
    "load_trees",
    "reason_text",
    "save_net",
    "save_trees",
    "to_ctr_word",
]
