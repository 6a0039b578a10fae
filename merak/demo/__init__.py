"""The ``merak demo`` scenario: a synthetic world served by the five servers as processes.

``_supervisor`` starts, checks and stops the server processes and knows nothing of what
they serve; ``_scenario`` is the run itself, step by step. It uses ``riskworld`` (the
synthetic world split in time, with a champion trained on its history; the system tests
and benchmarks serve from it too), ``_risk`` (declarations over gRPC, simulated
inspections, retrain, champion/challenger), ``_terminal`` (a vessel's lots through a HAL
stream into the detection service), ``_progress`` (the live display), ``_baselines`` (hit
rate of model, rules and random at an equal inspection rate) and ``_report`` (the HTML
report). It is demo code: it may use the synthetic world and the HAL simulators, which
runtime code never imports. ``merak.cli`` only parses the arguments of ``merak demo``.
"""

from merak.demo._scenario import run_demo

__all__ = ["run_demo"]
