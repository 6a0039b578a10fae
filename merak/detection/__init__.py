"""The detection service's core: per-instrument algorithms, fusion, lots, ingest.

Three algorithms (radiation portal, NIR spectra, belt camera) run on the HAL streams;
their findings are fused per lot into a verdict with evidence blobs, written to the
ledger, and turned into the declaration's inspection outcome. Runtime code here never
imports ``merak.hal.sim``; ``merak.detection._simdata`` (simulator training data) is for the
CLI, the tests and the bench only.
"""

from merak.core.config import DetectionConfig, RadiationConfig, VisionConfig
from merak.detection._alertbook import AlertBook, cause_of
from merak.detection._engine import (
    DetectionEngine,
    OutcomeSink,
    RecordingOutcomeSink,
    SensorSpec,
    blob_refs,
)
from merak.detection._evidence import NPY, load_array, npy_bytes, put_array
from merak.detection._fusion import fuse
from merak.detection._ingest import Ingest
from merak.detection._lotstore import LotStore
from merak.detection._nir import (
    NirGridError,
    NirLotAccumulator,
    NirLotEstimate,
    NirModel,
    wilson,
)
from merak.detection._radiation import (
    Occupancy,
    RadiationDetector,
    peak_threshold,
)
from merak.detection._vision import (
    INCLUSION_CLASSES,
    Detection,
    InclusionDetector,
    VisionModel,
    iou,
)

__all__ = [
    "INCLUSION_CLASSES",
    "NPY",
    "AlertBook",
    "Detection",
    "DetectionConfig",
    "DetectionEngine",
    "InclusionDetector",
    "Ingest",
    "LotStore",
    "NirGridError",
    "NirLotAccumulator",
    "NirLotEstimate",
    "NirModel",
    "Occupancy",
    "OutcomeSink",
    "RadiationConfig",
    "RadiationDetector",
    "RecordingOutcomeSink",
    "SensorSpec",
    "VisionConfig",
    "VisionModel",
    "blob_refs",
    "cause_of",
    "fuse",
    "iou",
    "load_array",
    "npy_bytes",
    "peak_threshold",
    "put_array",
    "wilson",
]
