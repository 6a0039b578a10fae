"""docs/data-pool.md describes every table, every field and every planted pattern."""

from __future__ import annotations

import re
from pathlib import Path

from merak.pool import CATEGORIES, TABLES
from merak.pool.synth import PATTERNS
from merak.pool.synth._docs import table_section

DOC = Path(__file__).resolve().parents[3] / "docs" / "data-pool.md"
REGEN = "python -m merak.pool.synth._docs > docs/data-pool.md"


def test_every_field_of_every_table_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for spec in TABLES.values():
        start = text.index(f"### `{spec.name}`")
        end = text.find("\n### ", start + 1)
        section = text[start:end]
        for f in spec.fields:
            assert f"| `{f.name}` |" in section, f"{spec.name}.{f.name} missing; run {REGEN}"


def test_the_table_sections_match_the_schemas() -> None:
    text = DOC.read_text(encoding="utf-8")
    for spec in TABLES.values():
        assert table_section(spec) in text, f"{spec.name} is stale; run {REGEN}"


def test_every_category_and_pattern_with_its_rate() -> None:
    text = DOC.read_text(encoding="utf-8")
    for category in CATEGORIES:
        assert f"| {category} |" in text
    for p in PATTERNS:
        row = re.search(
            rf"^\| `{p.name}` \| {p.area} \| ([0-9.]+)% \| ([0-9.]+)% \|", text, re.MULTILINE
        )
        assert row, f"pattern {p.name} has no row with its rate; run {REGEN}"
        assert float(row.group(1)) > 0
