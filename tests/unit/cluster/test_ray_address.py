"""Ray addresses that cannot work fail with one line before any connection is tried."""

from __future__ import annotations

import pytest

from merak.cluster import RayUnavailableError
from merak.cluster._ray import check_reachable


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("headnode", "expected HOST:PORT"),
        (":6379", "expected HOST:PORT"),
        ("head:gcs", "the port is not a number"),
        ("ray://head:port", "the port is not a number"),
    ],
)
def test_malformed_addresses_are_refused_in_one_line(address: str, says: str) -> None:
    with pytest.raises(RayUnavailableError, match=says) as info:
        check_reachable(address)
    assert "\n" not in str(info.value)


def test_auto_is_left_to_ray() -> None:
    check_reachable("auto")  # no socket is opened: the unit tier would refuse it


def test_the_connect_timeout_must_be_a_positive_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERAK_RAY_CONNECT_TIMEOUT_S", "soon")
    with pytest.raises(RayUnavailableError, match="expected seconds"):
        check_reachable("head:6379")
    monkeypatch.setenv("MERAK_RAY_CONNECT_TIMEOUT_S", "0")
    with pytest.raises(RayUnavailableError, match="expected > 0"):
        check_reachable("head:6379")
