"""Selection metrics as customs administrations use them: top n % of declarations inspected."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_SHARES = (1, 2, 5, 10)


def _top(scores: np.ndarray, share_pct: float) -> np.ndarray:
    """Indices of the ceil(n * share) highest scores (ties broken by row order)."""
    n = len(scores)
    k = min(n, max(1, math.ceil(n * share_pct / 100.0))) if n else 0
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    return order[:k]


def precision_at(scores: np.ndarray, y: np.ndarray, share_pct: float) -> float:
    """Share of findings among the top ``share_pct`` % of declarations."""
    top = _top(scores, share_pct)
    return float(np.asarray(y)[top].mean()) if len(top) else 0.0


def recall_at(scores: np.ndarray, y: np.ndarray, share_pct: float) -> float:
    """Share of all findings caught by inspecting the top ``share_pct`` %."""
    y = np.asarray(y)
    total = y.sum()
    return float(y[_top(scores, share_pct)].sum() / total) if total else 0.0


def revenue_at(scores: np.ndarray, y: np.ndarray, revenue: np.ndarray, share_pct: float) -> float:
    """Share of the revenue at stake (over all findings) recovered in the top ``share_pct`` %."""
    y = np.asarray(y)
    rev = np.asarray(revenue, dtype=np.float64) * (y > 0)
    total = rev.sum()
    return float(rev[_top(scores, share_pct)].sum() / total) if total > 0 else 0.0


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count one half)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y) > 0
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="stable")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


@dataclass(frozen=True)
class SelectorMetrics:
    """Metrics of one selector on one slice."""

    name: str
    auc: float
    precision: dict[int, float]
    recall: dict[int, float]
    revenue: dict[int, float]


def evaluate(
    name: str, scores: np.ndarray, y: np.ndarray, revenue: np.ndarray | None = None,
    shares: Sequence[int] = DEFAULT_SHARES,
) -> SelectorMetrics:  # fmt: skip
    """All selection metrics of one selector."""
    rev = np.ones(len(y)) if revenue is None else revenue
    return SelectorMetrics(
        name=name,
        auc=auc(scores, y),
        precision={s: precision_at(scores, y, s) for s in shares},
        recall={s: recall_at(scores, y, s) for s in shares},
        revenue={s: revenue_at(scores, y, rev, s) for s in shares},
    )


def has_revenue(y: np.ndarray, revenue: np.ndarray | None) -> bool:
    """Whether the labels carry revenue: some finding has a positive amount."""
    if revenue is None:
        return False
    return bool((np.asarray(revenue, dtype=np.float64) * (np.asarray(y) > 0)).sum() > 0)


def selection_report(
    selectors: Mapping[str, np.ndarray], y: np.ndarray, revenue: np.ndarray | None = None,
    shares: Sequence[int] = DEFAULT_SHARES,
) -> tuple[list[SelectorMetrics], str]:  # fmt: skip
    """Metrics of every selector side by side, and the same as a Markdown table.

    Revenue columns read ``n/a`` (and the metrics hold no revenue) when the labels carry no
    revenue: a share of nothing is not a result.
    """
    with_rev = has_revenue(y, revenue)
    rows = [evaluate(n, s, y, revenue, shares) for n, s in selectors.items()]
    if not with_rev:
        rows = [SelectorMetrics(m.name, m.auc, m.precision, m.recall, {}) for m in rows]
    findings = int((np.asarray(y) > 0).sum())
    rate = float(np.mean(np.asarray(y) > 0)) if len(y) else 0.0
    head = ["selector", "AUC"]
    for kind in ("precision", "recall", "revenue"):
        head += [f"{kind}@{s}%" for s in shares]
    lines = [
        f"{len(y)} declarations, {findings} findings, finding rate {rate:.2%}"
        + ("" if with_rev else "; the labels carry no revenue"),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for m in rows:
        cells = [m.name, f"{m.auc:.3f}"]
        for d in (m.precision, m.recall):
            cells += [f"{d[s]:.3f}" for s in shares]
        cells += [f"{m.revenue[s]:.3f}" if s in m.revenue else "n/a" for s in shares]
        lines.append("| " + " | ".join(cells) + " |")
    return rows, "\n".join(lines)
