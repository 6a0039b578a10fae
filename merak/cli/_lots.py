"""``merak lots`` (see ``_desk``)."""

from merak.cli._desk import lots as app

__all__ = ["app"]
