"""Merak: an open smart-customs platform.

Real-time risk assessment of customs declarations and automated inspection of bulk
minerals, with every control recorded on a verifiable evidence ledger.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
