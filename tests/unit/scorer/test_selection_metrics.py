"""Selection metrics against values worked out by hand on tiny examples."""

from __future__ import annotations

import math

import numpy as np

from merak.scorer._metrics import auc, precision_at, recall_at, revenue_at, selection_report

# 10 declarations, scores descending by index; findings at ranks 1, 2 and 6.
SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
Y = np.array([1, 1, 0, 0, 0, 1, 0, 0, 0, 0])
REVENUE = np.array([100.0, 50.0, 999.0, 0, 0, 850.0, 0, 0, 0, 0])


def test_precision_recall_revenue_at_shares() -> None:
    # 10 % of 10 rows = the top 1; 20 % = the top 2; 50 % = the top 5; 1 % rounds up to 1.
    assert precision_at(SCORES, Y, 10) == 1.0
    assert precision_at(SCORES, Y, 50) == 2 / 5
    assert precision_at(SCORES, Y, 1) == 1.0
    assert recall_at(SCORES, Y, 20) == 2 / 3
    assert recall_at(SCORES, Y, 60) == 1.0
    # Revenue counts only findings: 100 + 50 of 1000 at stake (row 3's 999 is no finding).
    assert revenue_at(SCORES, Y, REVENUE, 20) == 150 / 1000
    assert revenue_at(SCORES, Y, REVENUE, 50) == 150 / 1000
    assert revenue_at(SCORES, Y, REVENUE, 60) == 1.0


def test_auc_by_hand() -> None:
    # Positives at ranks 1, 2, 6 of 10: pairs (pos > neg) = 7 + 7 + 4 = 18 of 3 * 7 = 21.
    assert math.isclose(auc(SCORES, Y), 18 / 21)
    # All tied: one half.
    assert auc(np.zeros(4), np.array([0, 1, 0, 1])) == 0.5
    # Perfectly inverted.
    assert auc(-SCORES[:3], np.array([1, 0, 0])) == 0.0


def test_report_has_every_selector_and_share() -> None:
    rows, table = selection_report({"model": SCORES, "reversed": -SCORES}, Y, REVENUE)
    assert [r.name for r in rows] == ["model", "reversed"]
    assert set(rows[0].precision) == {1, 2, 5, 10}
    assert "| model |" in table and "| reversed |" in table
    assert "precision@5%" in table and "revenue@10%" in table
