"""Protobuf messages as the plain dicts the pages and the live stream show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from merak.v1 import assessment_pb2, common_pb2, detection_pb2, ledger_pb2


def enum_name(enum: Any, number: int, prefix: str) -> str:
    """``CHANNEL_RED`` -> ``red``; an unknown number stays visible."""
    try:
        name: str = enum.Name(number)
    except ValueError:
        return f"#{number}"
    return name.removeprefix(prefix).lower()


def channel(number: int) -> str:
    return enum_name(common_pb2.Channel, number, "CHANNEL_")


def area(number: int) -> str:
    return enum_name(common_pb2.BusinessArea, number, "BUSINESS_AREA_").replace("_", " ")


def when(ts: Timestamp) -> str:
    if not ts.seconds and not ts.nanos:
        return ""
    t = dt.datetime.fromtimestamp(ts.seconds + ts.nanos / 1e9, dt.UTC)
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


def assessment(a: assessment_pb2.Assessment) -> dict[str, Any]:
    areas = sorted(a.area_scores, key=lambda s: -s.probability)
    return {
        "declaration_id": a.declaration_id,
        "risk": round(a.risk_score, 4),
        "channel": channel(a.channel),
        "office": a.office_code,
        "top_area": area(areas[0].area) if areas else "",
        "reason": a.reasons[0] if a.reasons else "",
        "random": a.randomly_selected,
        "model": a.model_version,
        "assessed": when(a.assessed_time),
        "ledger_index": a.ledger_ref.index if a.HasField("ledger_ref") else None,
    }


def alert(al: detection_pb2.Alert) -> dict[str, Any]:
    return {
        "alert_id": al.alert_id,
        "severity": enum_name(detection_pb2.AlertSeverity, al.severity, "ALERT_SEVERITY_"),
        "site": al.site_id,
        "lot_id": al.lot_id,
        "sensor_id": al.sensor_id,
        "message": al.message,
        "cause": al.finding.label if al.HasField("finding") else "",
        "raised": when(al.raised_time),
    }


def entry(e: ledger_pb2.LedgerEntry, index: int) -> dict[str, Any]:
    return {
        "index": index,
        "type": enum_name(ledger_pb2.EntryType, e.type, "ENTRY_TYPE_").replace("_", " "),
        "subject": e.subject_id,
        "by": e.appended_by,
        "appended": when(e.appended_time),
        "payload_type": e.payload_type,
        "blobs": len(e.blobs),
    }


def payload_dict(e: ledger_pb2.LedgerEntry) -> dict[str, Any] | None:
    """The entry's payload decoded by its declared type, or None when it cannot be."""
    from merak.ledger import PAYLOAD_TYPES

    kind = PAYLOAD_TYPES.get(e.type)
    if kind is None:
        return None
    msg: Message = kind()
    try:
        msg.ParseFromString(e.payload)
    except Exception:
        return None
    decoded: dict[str, Any] = json_format.MessageToDict(msg, preserving_proto_field_name=True)
    return decoded


def live(kind: str, message: Any) -> dict[str, Any]:
    """The JSON of one live event."""
    if kind == "assessment":
        return assessment(message)
    if kind == "alert":
        return alert(message)
    return entry(message.entry, message.ref.index)
