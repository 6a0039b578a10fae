"""``merak assessments`` (see ``_desk``)."""

from merak.cli._desk import assessments as app

__all__ = ["app"]
