"""System tier: a small synthetic world with features and a champion model, built once."""

from __future__ import annotations

import pytest

from merak.demo import riskworld


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> riskworld.RiskWorld:
    # 9,000 declarations: about 2,400 held out after the cut, so the risk-path test streams
    # thousands of them.
    return riskworld.build(tmp_path_factory.mktemp("riskworld") / "data", declarations=9000)
