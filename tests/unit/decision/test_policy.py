"""The control decision weighs risk against cost and capacity, with thresholds and randomness."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from merak.core.config import ControlConfig, DecisionConfig, load_config
from merak.core.errors import ConfigError
from merak.decision import DecisionPolicy, RiskInput, random_draw

T = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _config(**kw: object) -> DecisionConfig:
    """A small, hand-checkable policy: only taxation and prohibited goods matter."""
    base: dict[str, object] = {
        "harm": {"PROHIBITED_GOODS": 10_000.0, "TAXATION": 0.0},
        "thresholds": {"PROHIBITED_GOODS": 0.3},
        "threshold_channel": {"PROHIBITED_GOODS": "RED"},
        "yellow": ControlConfig(100.0, 10, 0.5, {"TAXATION": 0.5}),
        "red": ControlConfig(500.0, 2, 0.8, {"PROHIBITED_GOODS": 0.9, "TAXATION": 0.8}),
        "blue": ControlConfig(300.0, 10, 0.7, {"TAXATION": 0.7}),
        "random_share": 0.0,
        "congestion": 0.0,
    }
    base.update(kw)
    return DecisionConfig(**base)  # type: ignore[arg-type]


def _risk(i: int = 0, revenue: float = 0.0, **areas: float) -> RiskInput:
    return RiskInput(f"D{i}", "6701", T, max(areas.values(), default=0.0), areas, revenue)


def test_low_risk_is_released_green_without_using_capacity() -> None:
    policy = DecisionPolicy(_config())
    d = policy.decide(_risk(revenue=50.0, TAXATION=0.05))
    # yellow: 0.5*50 - 100 < 0; red: 0.8*50 - 500 < 0; blue: 0.7*50 - 300 < 0
    assert d.channel == "GREEN"
    assert not d.randomly_selected
    assert policy.capacity.used("6701", "YELLOW", T.date()) == 0


def test_the_control_with_the_best_net_benefit_is_chosen() -> None:
    policy = DecisionPolicy(_config())
    # revenue 1000: yellow 500-100=400, red 800-500=300, blue 700-300=400 -> tie: stronger wins
    assert policy.decide(_risk(1, revenue=1000.0)).channel == "YELLOW"
    # revenue 4000: yellow 1900, red 2700, blue 2500 -> red
    d = policy.decide(_risk(2, revenue=4000.0))
    assert d.channel == "RED"
    assert d.net_benefit["RED"] == pytest.approx(2700.0)
    assert policy.capacity.used("6701", "RED", T.date()) == 1


def test_harm_of_an_area_counts_beside_revenue() -> None:
    policy = DecisionPolicy(_config())
    # prohibited p=0.1 (under threshold): red benefit 0.1*0.9*10000 = 900 - 500 = 400 > others
    d = policy.decide(_risk(3, PROHIBITED_GOODS=0.1))
    assert d.channel == "RED"
    assert d.forced_by == ()


def test_a_threshold_forces_its_channel_even_when_it_does_not_pay() -> None:
    policy = DecisionPolicy(_config(harm={"PROHIBITED_GOODS": 0.0}))
    d = policy.decide(_risk(4, PROHIBITED_GOODS=0.31))
    assert d.channel == "RED"
    assert d.forced_by == ("PROHIBITED_GOODS",)
    assert "threshold 0.30" in d.reasons[0]


def test_used_up_capacity_moves_to_the_next_best_control() -> None:
    policy = DecisionPolicy(_config())
    channels = [policy.decide(_risk(10 + i, revenue=4000.0)).channel for i in range(4)]
    # red capacity is 2 a day; then blue (2500) beats yellow (1900)
    assert channels == ["RED", "RED", "BLUE", "BLUE"]
    last = policy.decide(_risk(20, revenue=4000.0))
    assert any("RED capacity of office 6701 is used up" in r for r in last.reasons)
    assert last.net_benefit["RED"] is None


def test_capacity_is_per_office_and_per_day() -> None:
    policy = DecisionPolicy(_config(office_capacity={"6702": {"RED": 0}}))
    assert policy.decide(RiskInput("A", "6702", T, 0.9, {}, 4000.0)).channel == "BLUE"
    assert policy.decide(RiskInput("B", "6701", T, 0.9, {}, 4000.0)).channel == "RED"


def test_congestion_raises_the_price_of_a_filling_control() -> None:
    policy = DecisionPolicy(_config(congestion=1.0, red=ControlConfig(500.0, 4, 0.8, {})))
    # red net at u=0: 2700; yellow 1900, blue 2500. After 2 reds, u=0.5: cost 500*(1+1)=1000
    # -> red net 2200 < blue 2500.
    channels = [policy.decide(_risk(30 + i, revenue=4000.0)).channel for i in range(3)]
    assert channels == ["RED", "RED", "BLUE"]


def test_random_selection_is_deterministic_and_near_its_share() -> None:
    policy = DecisionPolicy(_config(random_share=0.05, random_channel="RED"))
    ids = [f"CN-{i:06d}" for i in range(20_000)]
    draws = [random_draw(policy.config.random_salt, i) for i in ids]
    assert draws == [random_draw(policy.config.random_salt, i) for i in ids]
    share = sum(d < 0.05 for d in draws) / len(draws)
    assert abs(share - 0.05) < 4 * (0.05 * 0.95 / len(draws)) ** 0.5
    chosen = next(i for i, d in zip(ids, draws, strict=True) if d < 0.05)
    d = policy.decide(RiskInput(chosen, "6701", T, 0.0, {}, 0.0))
    assert (d.channel, d.randomly_selected) == ("RED", True)
    assert "at random" in d.reasons[0]


def test_decision_settings_come_from_the_config_file_with_defaults_kept() -> None:
    cfg = load_config(
        environ={"MERAK__DECISION__RED__COST": "1200", "MERAK__DECISION__RANDOM_SHARE": "0.02"}
    )
    assert cfg.decision.red.cost == 1200.0
    assert cfg.decision.red.daily_capacity == DecisionConfig().red.daily_capacity
    assert cfg.decision.random_share == 0.02


@pytest.mark.parametrize(
    ("env", "path"),
    [
        ({"MERAK__DECISION__THRESHOLDS__TAXES": "0.5"}, "decision.thresholds"),
        ({"MERAK__DECISION__THRESHOLDS__TAXATION": "1.5"}, "decision.thresholds.TAXATION"),
        (
            {"MERAK__DECISION__THRESHOLD_CHANNEL__TAXATION": "PURPLE"},
            "decision.threshold_channel.TAXATION",
        ),
        ({"MERAK__DECISION__RANDOM_SHARE": "2"}, "decision.random_share"),
    ],
)
def test_bad_decision_settings_name_the_path(env: dict[str, str], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(environ=env)
    assert info.value.path == path
