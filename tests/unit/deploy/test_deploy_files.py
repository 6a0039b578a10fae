"""deploy/: the manifests validate offline, a broken one does not, the compose file and the
dashboards name only services and metrics that exist."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(DEPLOY))

from validate_manifests import validate_dir  # noqa: E402


def test_the_manifests_are_valid_kubernetes() -> None:
    checked, problems = validate_dir(DEPLOY / "k8s", "1.33.0")
    assert problems == []
    assert checked >= 15


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("  replicas: 1\n  strategy", "  replica: 1\n  strategy", "replica"),
        ("containerPort: 9100}", "containerPort: metrics}", "metrics"),
        ("      minReplicas: 1\n", "      minReplicas: 1\n      replicas: 40\n", "maxReplicas"),
    ],
    ids=["unknown-field", "wrong-type", "ray-replicas-out-of-range"],
)
def test_a_broken_manifest_is_caught(tmp_path: Path, old: str, new: str, says: str) -> None:
    for f in (DEPLOY / "k8s").glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    target = "ray-cluster.yaml" if "Replicas" in old else "services.yaml"
    text = (tmp_path / target).read_text()
    assert old in text
    (tmp_path / target).write_text(text.replace(old, new, 1))
    _, problems = validate_dir(tmp_path, "1.33.0")
    assert problems and any(says in p for p in problems), problems


def test_compose_runs_the_five_services_a_hal_node_and_monitoring_from_one_image() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {
        "postgres", "ledger", "feedback", "intake", "models", "detection", "hal-node",
        "prometheus", "grafana",
    }  # fmt: skip
    merak = {n for n, s in services.items() if s["image"] == "${MERAK_IMAGE:-merak:latest}"}
    assert merak == {"ledger", "feedback", "intake", "models", "detection", "hal-node"}
    for name in merak - {"hal-node"}:
        assert services[name]["command"][:2] == ["serve", name]
    scraped = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {
        t.split(":")[0]
        for job in scraped["scrape_configs"]
        for sc in job["static_configs"]
        for t in sc["targets"]
    }
    assert targets == merak


METRIC = r"\b(merak_[a-z_]+|grpc_server_[a-z_]+)"


def _defined_metric_names() -> set[str]:
    names: set[str] = set()
    for path in [*(ROOT / "services").glob("*.py"), *(ROOT / "hal").glob("*.py")]:
        names |= set(re.findall(r'"(merak_[a-z_]+|grpc_server_[a-z_]+)"', path.read_text()))
    return names


def test_dashboards_chart_only_metrics_that_exist() -> None:
    defined = _defined_metric_names()
    suffixes = ("_total", "_bucket", "_count", "_sum")
    for path in (DEPLOY / "grafana" / "dashboards").glob("*.json"):
        board = json.loads(path.read_text())
        exprs = [t["expr"] for p in board["panels"] for t in p["targets"]]
        charted = {n for e in exprs for n in re.findall(METRIC, e)}
        for name in charted:
            stem = next((name[: -len(s)] for s in suffixes if name.endswith(s)), name)
            assert name in defined or stem in defined, f"{path.name}: {name} is never exported"
