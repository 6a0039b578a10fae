"""Validate deploy/k8s offline: every core object against the Kubernetes OpenAPI schemas
(kubernetes-validate, strict: unknown fields are errors), and the KubeRay RayCluster by its
required fields plus its head and worker pod templates as core PodTemplates.

Usage: python deploy/validate_manifests.py [--kubernetes-version 1.33.0] [DIR]
Exit 0 when every document is valid; 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

DEFAULT_VERSION = "1.33.0"


def _ray_problems(doc: dict[str, Any], version: str) -> list[str]:
    import kubernetes_validate

    spec = doc.get("spec") or {}
    problems = [f"spec.{k}: required" for k in ("rayVersion", "headGroupSpec") if k not in spec]
    templates = [("headGroupSpec", (spec.get("headGroupSpec") or {}).get("template"))]
    for i, group in enumerate(spec.get("workerGroupSpecs") or []):
        where = f"workerGroupSpecs[{i}]"
        for key in ("groupName", "minReplicas", "maxReplicas"):
            if key not in group:
                problems.append(f"spec.{where}.{key}: required")
        lo, hi = group.get("minReplicas", 0), group.get("maxReplicas", 0)
        if not 0 <= lo <= group.get("replicas", lo) <= hi:
            problems.append(f"spec.{where}: expected minReplicas <= replicas <= maxReplicas")
        templates.append((where, group.get("template")))
    for where, template in templates:
        if template is None:
            problems.append(f"spec.{where}.template: required")
            continue
        pod = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"},
               "template": template}  # fmt: skip
        try:
            kubernetes_validate.validate(pod, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            problems.append(f"spec.{where}.{path}: {exc.message}")
    return problems


def validate_dir(root: Path, version: str) -> tuple[int, list[str]]:
    import kubernetes_validate

    checked, problems = 0, []
    for path in sorted(root.glob("*.yaml")):
        for n, doc in enumerate(yaml.safe_load_all(path.read_text())):
            if not doc or doc.get("kind") == "Kustomization":
                continue
            checked += 1
            where = f"{path.name}#{n} {doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
            if str(doc.get("apiVersion", "")).startswith("ray.io/"):
                problems += [f"{where}: {p}" for p in _ray_problems(doc, version)]
                continue
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                dotted = ".".join(str(p) for p in exc.path)
                problems.append(f"{where}: {dotted}: {exc.message}")
    return checked, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", default=DEFAULT_VERSION)
    parser.add_argument("dir", nargs="?", default=str(Path(__file__).parent / "k8s"))
    args = parser.parse_args()
    checked, problems = validate_dir(Path(args.dir), args.kubernetes_version)
    for p in problems:
        print(f"invalid: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"{checked} manifests valid against Kubernetes {args.kubernetes_version} (strict)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
