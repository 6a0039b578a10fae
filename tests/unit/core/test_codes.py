"""Reference code lists and check digits, against values published in the standards."""

from __future__ import annotations

import pytest

from merak.core import codes


def test_code_lists_have_the_published_sizes() -> None:
    # ISO 3166-1 has 249 officially assigned alpha-2 codes.
    assert len(codes.COUNTRY_CODES) == 249
    assert {"CN", "AU", "KZ", "UZ", "BR"} <= codes.COUNTRY_CODES
    assert "UK" not in codes.COUNTRY_CODES  # the UK is GB
    assert {"CNY", "USD", "EUR", "KZT"} <= codes.CURRENCY_CODES
    assert "XAU" not in codes.CURRENCY_CODES  # gold is not a currency of a declaration


# CSQU3054383 is the worked example of ISO 6346; BICU1234565 is the BIC's sample id
# (by hand: B12 I19 C13 U32 1 2 3 4 5 6 weighted 1,2,4..512 sum to 5494; 5494 mod 11 = 5).
@pytest.mark.parametrize("good", ["CSQU3054383", "BICU1234565"])
def test_valid_container_ids(good: str) -> None:
    assert codes.is_container_id(good)


@pytest.mark.parametrize("bad", ["CSQU3054384", "CSQ3054383", "csqu3054383", "CSQX3054383", ""])
def test_invalid_container_ids(bad: str) -> None:
    assert not codes.is_container_id(bad)
