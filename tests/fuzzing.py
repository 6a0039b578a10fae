"""A protobuf-aware request fuzzer for every RPC a Merak server hosts (seeded, deterministic).

Three kinds of request body, in turn: random bytes; a valid message's bytes mutated
(bit flips, truncation, spliced garbage); a message with boundary values put into its
fields by the descriptor (int extremes, unknown enum numbers, hostile strings and
decimals, Timestamps beyond year 9999, long repeated fields).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import message as pb_message
from google.protobuf.descriptor import FieldDescriptor
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2

from merak.v1 import (
    common_pb2,
    detection_pb2,
    feedback_pb2,
    intake_pb2,
    ledger_pb2,
    model_pb2,
)
from tests.factories import valid_declaration

INTS = [0, 1, -1, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63), 10**12, 999_999_999, 10**9]
UINTS = [0, 1, 2**32 - 1, 2**64 - 1, 10**12]
FLOATS = [0.0, -0.0, 1.0, -1.0, 1e308, -1e308, float("inf"), float("-inf"), float("nan"), 5e-324]
STRINGS = [
    "", " ", "\n", "CN-1\n", "../versions/v0001", "../../etc/passwd", "x" * 70, "x" * 5000,
    "1e-999999999", "1e999999999", "0.0001", "NaN", "-1", "Infinity", "9" * 40, "0E-20",
    "💥", "\u202e", "\x00", "2601110000", "USD", "XX", "AU", "v0001", "*", "%s%n", "' OR 1=1 --",
]  # fmt: skip
SECONDS = [0, -1, 253_402_300_799, 253_402_300_800, -62_135_596_800, -62_135_596_801, 2**62]
NANOS = [0, -1, 999_999_999, 10**9, 2**31 - 1]


@dataclass(frozen=True)
class Rpc:
    """One method: its full path, request type, streaming kinds and valid seed requests."""

    path: str
    request: type[pb_message.Message]
    client_streaming: bool
    server_streaming: bool
    seeds: tuple[pb_message.Message, ...]


def _seeds() -> dict[str, list[pb_message.Message]]:
    decl = valid_declaration("CN-FUZZ-1")
    outcome = feedback_pb2.InspectionOutcome(
        outcome_id="INSP-1",
        declaration_id="CN-FUZZ-1",
        source=feedback_pb2.OUTCOME_SOURCE_PHYSICAL_INSPECTION,
        finding=True,
        business_areas=[common_pb2.BusinessArea.values()[1]],
        revenue_recovered=common_pb2.Money(currency_code="USD", units=12, nanos=500_000_000),
    )
    outcome.inspected_time.FromSeconds(1_770_000_000)
    entry = ledger_pb2.LedgerEntry(subject_id="CN-FUZZ-1", payload=b"x", payload_type="x")
    lot = detection_pb2.Lot(
        lot_id="LOT-1", site_id="ZJ", belt_id="B1", declaration_id="CN-FUZZ-1", hs_code="260111"
    )
    return {
        "SubmitDeclarationRequest": [intake_pb2.SubmitDeclarationRequest(declaration=decl)],
        "SubmitDeclarationsRequest": [
            intake_pb2.SubmitDeclarationsRequest(correlation_id="c1", declaration=decl)
        ],
        "ReportOutcomeRequest": [feedback_pb2.ReportOutcomeRequest(outcome=outcome)],
        "AppendEntryRequest": [ledger_pb2.AppendEntryRequest(entry=entry)],
        "OpenLotRequest": [detection_pb2.OpenLotRequest(lot=lot)],
        "ServerReflectionRequest": [reflection_pb2.ServerReflectionRequest(list_services="")],
    }


def all_rpcs() -> list[Rpc]:
    """Every method of the five Merak services, health checking and reflection."""
    seeds = _seeds()
    out: list[Rpc] = []
    files = [intake_pb2, feedback_pb2, model_pb2, detection_pb2, ledger_pb2, health_pb2]
    services = [s for f in files for s in f.DESCRIPTOR.services_by_name.values()]
    services.append(reflection_pb2.DESCRIPTOR.services_by_name["ServerReflection"])
    classes: dict[str, type[pb_message.Message]] = {}
    for f in [*files, reflection_pb2]:
        for name in f.DESCRIPTOR.message_types_by_name:
            classes[f"{f.DESCRIPTOR.package}.{name}"] = getattr(f, name)
    for service in services:
        for m in service.methods:
            cls = classes[m.input_type.full_name]
            base = [cls(), *seeds.get(m.input_type.name, [])]
            out.append(
                Rpc(
                    f"/{service.full_name}/{m.name}",
                    cls,
                    m.client_streaming,
                    m.server_streaming,
                    tuple(base),
                )
            )
    return out


def _boundary(field: FieldDescriptor, rng: random.Random) -> Any:  # noqa: PLR0911
    t = field.type
    if t in (
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_SFIXED32,
    ):
        return rng.choice([v for v in INTS if -(2**31) <= v < 2**31])
    if t in (
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_SFIXED64,
    ):
        return rng.choice(INTS)
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return rng.choice([v for v in UINTS if v < 2**32])
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return rng.choice(UINTS)
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return rng.choice(FLOATS)
    if t == FieldDescriptor.TYPE_BOOL:
        return rng.random() < 0.5
    if t == FieldDescriptor.TYPE_STRING:
        return rng.choice(STRINGS)
    if t == FieldDescriptor.TYPE_BYTES:
        return rng.randbytes(rng.choice([0, 1, 31, 32, 33, 64, 4096]))
    if t == FieldDescriptor.TYPE_ENUM:
        numbers = [v.number for v in field.enum_type.values]
        return rng.choice([*numbers, -1, 999, 2**31 - 1])
    raise AssertionError(f"unexpected field type {t}")


def mutate_fields(msg: pb_message.Message, rng: random.Random, depth: int = 0) -> None:
    """Put boundary values into a few fields of ``msg``, recursing into sub-messages."""
    fields = list(msg.DESCRIPTOR.fields)
    if not fields:
        return
    for field in rng.sample(fields, k=min(len(fields), rng.randint(1, 3))):
        sub = field.message_type
        if sub is not None and sub.GetOptions().map_entry:
            continue
        if sub is not None and sub.full_name == "google.protobuf.Timestamp":
            target = getattr(msg, field.name)
            ts = target.add() if field.is_repeated else target
            ts.seconds = rng.choice(SECONDS)
            ts.nanos = rng.choice(NANOS)
        elif sub is not None:
            if depth > 4:
                continue
            value = getattr(msg, field.name)
            if field.is_repeated:
                if len(value) and rng.random() < 0.3:
                    template = value[0]
                    for _ in range(rng.choice([1, 50, 600])):
                        value.add().CopyFrom(template)
                item = value[rng.randrange(len(value))] if len(value) else value.add()
                mutate_fields(item, rng, depth + 1)
            else:
                mutate_fields(value, rng, depth + 1)
        elif field.is_repeated:
            value = getattr(msg, field.name)
            for _ in range(rng.choice([1, 3, 300])):
                value.append(_boundary(field, rng))
        else:
            setattr(msg, field.name, _boundary(field, rng))


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    choice = rng.randrange(4)
    if choice == 0 and b:  # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif choice == 1 and b:  # truncation
        del b[rng.randrange(len(b)) :]
    elif choice == 2:  # spliced garbage
        i = rng.randrange(len(b) + 1)
        b[i:i] = rng.randbytes(rng.randint(1, 16))
    else:  # a field with a bad wire type or a huge length
        b += bytes([rng.randrange(256), 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
    return bytes(b)


def body(rpc: Rpc, rng: random.Random, kind: int) -> bytes:
    """One request body for ``rpc``: random (0), mutated bytes (1) or boundary values (2)."""
    seed = rng.choice(rpc.seeds)
    if kind == 0:
        return rng.randbytes(rng.choice([1, 2, 7, 64, 512]))
    if kind == 1:
        return _mutate_bytes(seed.SerializeToString(), rng)
    msg = rpc.request()
    msg.CopyFrom(seed)
    mutate_fields(msg, rng)
    return msg.SerializeToString()


Sender = Callable[[Rpc, list[bytes]], None]
