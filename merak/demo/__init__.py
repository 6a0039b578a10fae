"""The ``merak demo`` scenario: a synthetic world served by the five servers as processes.

``merak.cli._demo`` starts and stops the servers; this package is the scenario they serve:
``_risk`` (declarations over gRPC, simulated inspections, retrain, champion/challenger),
``_terminal`` (a vessel's lots through a HAL stream into the detection service),
``_progress`` (the live display), ``_baselines`` (hit rate of model, rules and random at an
equal inspection rate) and ``_report`` (the HTML report). It is demo code: it may use the
synthetic world and the HAL simulators, which runtime code never imports.
"""
