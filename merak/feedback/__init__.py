"""Inspection outcomes: stored, on the ledger, into the pool as labels, told to observers."""

from merak.feedback._feedback import Feedback, OutcomeObserver, label_of

__all__ = ["Feedback", "OutcomeObserver", "label_of"]
