"""Control decisions: channel from calibrated risk, revenue at stake, harm, cost and capacity."""

from merak.core.config import ControlConfig, DecisionConfig
from merak.decision._capacity import CapacityLedger
from merak.decision._policy import STRENGTH, Decision, DecisionPolicy, RiskInput, random_draw

__all__ = [
    "STRENGTH",
    "CapacityLedger",
    "ControlConfig",
    "Decision",
    "DecisionConfig",
    "DecisionPolicy",
    "RiskInput",
    "random_draw",
]
