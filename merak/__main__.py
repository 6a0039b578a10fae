"""``python -m merak`` is the ``merak`` command."""

from merak.cli import main

main()
