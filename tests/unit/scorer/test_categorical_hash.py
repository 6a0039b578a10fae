"""CityHash64 v1.0 of categorical values equals the hashes CatBoost stores in its models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from merak.scorer.engine import CatHasher, cat_hash, to_ctr_word


def test_hash_matches_catboost_for_every_length(tmp_path: Path) -> None:
    import pandas as pd
    from catboost import CatBoostClassifier, Pool

    rng = np.random.default_rng(0)
    alphabet = list("abcXYZ0189-_ .é中")
    values = sorted(
        {"".join(rng.choice(alphabet, size=n)) for n in range(0, 140) for _ in range(2)}
    )
    n = len(values) * 2
    frame = pd.DataFrame({"x": rng.normal(size=n), "c": values * 2})
    y = rng.integers(0, 2, n)
    model = CatBoostClassifier(iterations=2, depth=2, verbose=0, thread_count=1,
                               allow_writing_files=False)  # fmt: skip
    model.fit(frame, y, cat_features=["c"])
    path = tmp_path / "m.json"
    model.save_model(str(path), format="json", pool=Pool(frame, y, cat_features=["c"]))
    stored = {e["value"]: e["hash"] for e in json.loads(path.read_text())["features_info"]["cat_features_hash"]}  # fmt: skip  # noqa: E501
    assert len(stored) == len(values)
    mismatched = [v for v, h in stored.items() if cat_hash(v) != h]
    assert mismatched == []


def test_ctr_word_sign_extends_the_32_bit_hash() -> None:
    assert to_ctr_word(0x7FFFFFFF) == 0x7FFFFFFF
    assert to_ctr_word(0x80000000) == 0xFFFFFFFF80000000
    assert to_ctr_word(-1) == 0xFFFFFFFFFFFFFFFF


def test_hasher_uses_known_values_and_hashes_the_rest() -> None:
    hasher = CatHasher({"known": 5})
    words = hasher.words(["known", "fresh"])
    assert words.tolist() == [5, to_ctr_word(cat_hash("fresh"))]
