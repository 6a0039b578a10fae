"""The Numba forward pass equals torch's eval-mode forward of the risk network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from merak.scorer._network import NetConfig, train_network
from merak.scorer.engine import NetScorer, load_net, save_net
from tests.unit.scorer._data import make_rows


@pytest.fixture(scope="module", params=[1, 8], ids=["dim1", "dim8"])
def trained(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The default (one number per id) and wider embeddings."""
    import torch

    torch.set_num_threads(1)
    rows = make_rows(2000, seed=41)
    config = NetConfig(epochs=2, buckets=512, dim=request.param)
    return train_network(rows.floats, rows.cats, rows.y, config)


def test_numba_forward_equals_torch_on_adversarial_rows(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = make_rows(3000, seed=42)
    f = rows.floats * 4
    f[:200] = np.nan
    f[200:300, 0] = np.inf
    f[300:400, 1] = -np.inf
    f[400:500, 2] = 1e30
    f[500:550, 3] = 1e39  # finite in float64, inf in float32
    rows.cats[500:700, 0] = "NEVER-SEEN"
    expected = trained.torch_logits(f, rows.cats)
    save_net(trained.export(), tmp_path / "net.npz")
    scorer = NetScorer(load_net(tmp_path / "net.npz"))
    assert np.abs(scorer.logits(f, rows.cats, parallel=True) - expected).max() <= 1e-5
    one = np.array([scorer.logits(f[i], rows.cats[i], parallel=False)[0] for i in range(50)])
    assert np.abs(one - expected[:50]).max() <= 1e-5
