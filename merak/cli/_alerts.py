"""``merak alerts`` (see ``_desk``)."""

from merak.cli._desk import alerts as app

__all__ = ["app"]
