"""The 132 expert risk features: a declarative catalogue, computed offline and online alike."""

from merak.core.config import FeatureConfig
from merak.features._catalogue import (
    CATALOGUE,
    CATALOGUE_VERSION,
    FEATURE_IDS,
    FEATURE_NAMES,
    catalogue_version,
    compute,
)
from merak.features._docs import render_markdown
from merak.features._documents import DocumentIndex
from merak.features._frames import Frames, frames_from_arrow, frames_from_rows
from merak.features._offline import (
    BuildResult,
    Partition,
    local_mapper,
    months,
    partitions,
    read_matrix,
    run_build,
)
from merak.features._online import OnlineFeatures
from merak.features._reference import Reference
from merak.features._report import FeatureCoverage, coverage_report, format_coverage
from merak.features._snapshot import ProfileSnapshot
from merak.features._spec import AREAS, STAGE_COUNTS, STAGES, CatalogueError, FeatureSpec

__all__ = [
    "AREAS",
    "CATALOGUE",
    "CATALOGUE_VERSION",
    "FEATURE_IDS",
    "FEATURE_NAMES",
    "STAGES",
    "STAGE_COUNTS",
    "BuildResult",
    "CatalogueError",
    "DocumentIndex",
    "FeatureConfig",
    "FeatureCoverage",
    "FeatureSpec",
    "Frames",
    "OnlineFeatures",
    "Partition",
    "ProfileSnapshot",
    "Reference",
    "catalogue_version",
    "compute",
    "coverage_report",
    "format_coverage",
    "frames_from_arrow",
    "frames_from_rows",
    "local_mapper",
    "months",
    "partitions",
    "read_matrix",
    "render_markdown",
    "run_build",
]
