"""The portal detector on vehicle types it was not tuned on, from a generator not its own.

A small sample of ``merak detect evaluate-radiation`` (docs/detection.md has the large run).
The first test guards what holds today, with margins under what this sample measured; the
second states the issue's targets and is expected to fail until they are met.
"""

from __future__ import annotations

from typing import Any

import pytest

from merak.detection._radeval import evaluate_held_out


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return evaluate_held_out(n_clean=300, n_source=300, n_norm=60, n_tune=60, seed=3)


def test_held_out_figures_hold_where_they_are_met(report: dict[str, Any]) -> None:
    kinds = report["per_vehicle_type"]
    assert set(kinds) == {"tractor_trailer", "rigid_truck", "wagons"}
    for kind, k in kinds.items():
        assert kind not in k["tuned_on"]  # the allowance never saw the type it is judged on
        assert k["clean"] == 100
    for kind in ("tractor_trailer", "rigid_truck"):
        assert kinds[kind]["false_alarms"] <= 2, kind
        assert kinds[kind]["norm_not_alarmed"] >= 0.9, kind
    pd = report["pd_by_snr"]
    # Stronger sources are found more often, and the strongest in most passages.
    assert pd["10-12"]["pd"] > pd["4-6"]["pd"] + 0.2
    assert pd["10-12"]["pd"] >= 0.45


@pytest.mark.xfail(strict=True, reason="issue 15 radiation targets are not met (docs/detection.md)")
def test_the_issue_targets(report: dict[str, Any]) -> None:
    for kind, k in report["per_vehicle_type"].items():
        assert k["false_alarms"] == 0, kind
        assert k["pd_snr_ge_6"] >= 0.95, kind
        assert k["norm_not_alarmed"] >= 0.95, kind
