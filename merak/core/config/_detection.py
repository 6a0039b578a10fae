"""The ``detection`` section: the detection service's receiver, models and verdict rules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectionSection:
    """The detection service's operational settings (its algorithms' thresholds keep the
    defaults documented in docs/detection.md)."""

    # ZeroMQ endpoint the frame receiver binds; HAL nodes connect to it.
    bind: str = "tcp://127.0.0.1:*"
    # Trained models (`merak detect train`); without one, NIR scans are counted, not judged.
    model_dir: str = ""
    # A sensor is dead after this many seconds without any frame (heartbeats included).
    dead_after_s: float = 5.0
    # A frame captured longer ago than this when it arrives counts as late.
    late_after_s: float = 2.0
    # Estimated contaminated share of scans at or above which a lot is rejected outright.
    reject_fraction: float = 0.02
    # Identity written as appended_by / inspector_id.
    identity: str = "merak-detection"
    # FeedbackService elsewhere that verdicts on linked lots go to as inspection outcomes
    # (host:port); empty = the feedback service of this process, if it hosts one.
    feedback_address: str = ""
    # Environment variable holding the bearer token (role outcome_reporter) for it.
    feedback_token_env: str = "MERAK_FEEDBACK_TOKEN"
    # CA bundle to verify the remote feedback service's certificate; empty = plaintext.
    feedback_tls_ca_file: str = ""
