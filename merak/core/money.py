"""Money between the API's ``merak.v1.Money`` (units + nanos + ISO 4217 code) and exact
decimals: the one converter every package uses (validation of what callers send is
``merak.services._convert``'s)."""

from __future__ import annotations

from decimal import Decimal

from merak.v1 import common_pb2

_NANO = Decimal(1_000_000_000)


def money_to_proto(amount: Decimal, currency: str) -> common_pb2.Money:
    """An exact amount as units + nanos (nanos keep the sign of units)."""
    units = int(amount)  # truncates toward zero
    nanos = int((amount - units) * _NANO)
    return common_pb2.Money(currency_code=currency, units=units, nanos=nanos)


def money_from_proto(m: common_pb2.Money) -> Decimal:
    """The exact amount of a message (its currency is ``m.currency_code``)."""
    return Decimal(m.units) + Decimal(m.nanos) / _NANO


def cents(amount: float) -> Decimal:
    """A float amount rounded to the cent (half to even), as an exact decimal."""
    return Decimal(round(amount * 100)).scaleb(-2)
