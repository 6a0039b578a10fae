"""The scoring path imports neither catboost nor torch."""

from __future__ import annotations

import subprocess
import sys


def test_engine_import_pulls_in_no_catboost_or_torch() -> None:
    code = (
        "import sys, scorer, scorer.engine\n"
        "bad = [m for m in ('catboost', 'torch') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
