"""``merak assessments``, ``merak lots`` and ``merak alerts``: the console's verbs for people
in a terminal (the same RPCs, the same roles; token in ``$MERAK_TOKEN``)."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer
from google.protobuf import json_format

from merak.cli._client import DEFAULT_ADDRESS, Address, AsJson, CaFile, call, channel, fail

assessments = typer.Typer(no_args_is_help=True)
lots = typer.Typer(no_args_is_help=True)
alerts = typer.Typer(no_args_is_help=True)


def _enum(enum: Any, prefix: str, name: str | None, option: str) -> int:
    if not name:
        return 0
    try:
        return int(enum.Value(prefix + name.upper().replace("-", "_")))
    except ValueError:
        choices = ", ".join(n.removeprefix(prefix).lower() for n in enum.keys()[1:])
        typer.echo(f"error: {option}: expected one of {choices}, got {name!r}", err=True)
        raise typer.Exit(2) from None


def _name(enum: Any, prefix: str, number: int) -> str:
    try:
        return str(enum.Name(number)).removeprefix(prefix).lower()
    except ValueError:
        return str(number)


def _json(message: Any) -> str:
    return json.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True))


@assessments.command("list")
def assessments_list(
    channel_: Annotated[
        str | None, typer.Option("--channel", help="green, yellow, red or blue.")
    ] = None,
    office: Annotated[str, typer.Option(help="Customs office code.")] = "",
    area: Annotated[str | None, typer.Option(help="Top business area, e.g. taxation.")] = None,
    min_risk: Annotated[float, typer.Option(help="Lowest risk score.")] = 0.0,
    limit: Annotated[int, typer.Option(help="How many, newest first (1..500).")] = 20,
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
    as_json: AsJson = False,
) -> None:
    """Assessments newest first, filtered like the console's risk queue."""
    from merak.v1 import common_pb2, intake_pb2, intake_pb2_grpc

    req = intake_pb2.ListAssessmentsRequest(
        office_code=office, min_risk_score=min_risk, page_size=limit
    )
    ch_number = _enum(common_pb2.Channel, "CHANNEL_", channel_, "--channel")
    if ch_number:
        req.channels.append(ch_number)  # type: ignore[arg-type]
    req.business_area = _enum(common_pb2.BusinessArea, "BUSINESS_AREA_", area, "--area")  # type: ignore[assignment]
    with channel(address, ca_file) as ch:
        resp = call(intake_pb2_grpc.IntakeServiceStub(ch).ListAssessments, req)
    for a in resp.assessments:
        if as_json:
            typer.echo(_json(a))
            continue
        reason = a.reasons[0] if a.reasons else ""
        chan = _name(common_pb2.Channel, "CHANNEL_", a.channel)
        typer.echo(
            f"{a.declaration_id:<24} {chan:<7} {a.risk_score:6.3f} {a.office_code:<8} {reason}"
        )
    if not as_json:
        typer.echo(f"({len(resp.assessments)} of {resp.total_count})", err=True)


@assessments.command("show")
def assessments_show(
    declaration_id: Annotated[str, typer.Argument(help="The declaration's id.")],
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
) -> None:
    """One assessment with its reasons and contributions, as JSON."""
    from merak.v1 import intake_pb2, intake_pb2_grpc

    with channel(address, ca_file) as ch:
        resp = call(
            intake_pb2_grpc.IntakeServiceStub(ch).GetAssessment,
            intake_pb2.GetAssessmentRequest(declaration_id=declaration_id),
        )
    typer.echo(json_format.MessageToJson(resp.assessment, preserving_proto_field_name=True))


def _lot_line(item: Any) -> str:
    from merak.v1 import detection_pb2, sensor_pb2

    lot, verdict = item.lot, item.verdict
    state = _name(detection_pb2.LotState, "LOT_STATE_", lot.state)
    kind = _name(detection_pb2.VerdictKind, "VERDICT_KIND_", verdict.kind)
    cover = " ".join(
        f"{_name(sensor_pb2.SensorKind, 'SENSOR_KIND_', c.kind)}:{c.frames_received}"
        + (f"-{c.frames_missing}" if c.frames_missing else "")
        for c in verdict.coverage
    )
    return f"{lot.lot_id:<16} {lot.site_id:<6} {state:<7} {kind:<10} {lot.commodity:<20} {cover}"


@lots.command("list")
def lots_list(
    site: Annotated[str, typer.Option(help="Only this site.")] = "",
    limit: Annotated[int, typer.Option(help="How many, newest first (1..500).")] = 50,
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
    as_json: AsJson = False,
) -> None:
    """Lots with their state, verdict and coverage per instrument."""
    from merak.v1 import detection_pb2, detection_pb2_grpc

    with channel(address, ca_file) as ch:
        resp = call(
            detection_pb2_grpc.DetectionServiceStub(ch).ListLots,
            detection_pb2.ListLotsRequest(site_id=site, page_size=limit),
        )
    for item in resp.lots:
        typer.echo(_json(item) if as_json else _lot_line(item))


@lots.command("show")
def lots_show(
    lot_id: Annotated[str, typer.Argument(help="The lot's id.")],
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
) -> None:
    """One lot with its verdict (provisional while open) and evidence, as JSON."""
    from merak.v1 import detection_pb2, detection_pb2_grpc

    with channel(address, ca_file) as ch:
        resp = call(
            detection_pb2_grpc.DetectionServiceStub(ch).GetLot,
            detection_pb2.GetLotRequest(lot_id=lot_id),
        )
    typer.echo(json_format.MessageToJson(resp, preserving_proto_field_name=True))


@lots.command("watch")
def lots_watch(
    site: Annotated[str, typer.Option(help="Only this site.")] = "",
    every: Annotated[float, typer.Option(help="Seconds between looks.")] = 2.0,
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
) -> None:
    """Print each lot when it appears or its state, verdict or coverage changes; Ctrl-C ends."""
    from merak.v1 import detection_pb2, detection_pb2_grpc

    seen: dict[str, str] = {}
    with channel(address, ca_file) as ch:
        stub = detection_pb2_grpc.DetectionServiceStub(ch)
        try:
            while True:
                resp = call(
                    stub.ListLots, detection_pb2.ListLotsRequest(site_id=site, page_size=500)
                )
                for item in reversed(resp.lots):
                    line = _lot_line(item)
                    if seen.get(item.lot.lot_id) != line:
                        seen[item.lot.lot_id] = line
                        typer.echo(f"{time.strftime('%H:%M:%S')} {line}")
                time.sleep(every)
        except KeyboardInterrupt:
            return


@alerts.command("watch")
def alerts_watch(
    site: Annotated[list[str] | None, typer.Option(help="Only these sites.")] = None,
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
    as_json: AsJson = False,
) -> None:
    """Alerts as they are raised; Ctrl-C ends."""
    import grpc

    from merak.cli._client import metadata
    from merak.v1 import detection_pb2, detection_pb2_grpc

    with channel(address, ca_file) as ch:
        stream = detection_pb2_grpc.DetectionServiceStub(ch).WatchAlerts(
            detection_pb2.WatchAlertsRequest(site_ids=site or []), metadata=metadata()
        )
        try:
            for resp in stream:
                a = resp.alert
                if as_json:
                    typer.echo(_json(a))
                    continue
                sev = _name(detection_pb2.AlertSeverity, "ALERT_SEVERITY_", a.severity)
                when = a.raised_time.ToDatetime()
                typer.echo(f"{when:%H:%M:%S} {sev:<8} {a.lot_id or '-':<14} {a.message}")
        except KeyboardInterrupt:
            stream.cancel()
        except grpc.RpcError as err:
            fail(err)


@alerts.command("list")
def alerts_list(
    lot: Annotated[str, typer.Option(help="Only this lot.")] = "",
    include_acknowledged: Annotated[bool, typer.Option("--all", help="Acknowledged too.")] = False,
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
    as_json: AsJson = False,
) -> None:
    """Alert groups (repeats of one cause in one lot), with the id to acknowledge them by."""
    from merak.v1 import detection_pb2, detection_pb2_grpc

    with channel(address, ca_file) as ch:
        resp = call(
            detection_pb2_grpc.DetectionServiceStub(ch).ListAlerts,
            detection_pb2.ListAlertsRequest(
                lot_id=lot, include_acknowledged=include_acknowledged, page_size=500
            ),
        )
    for g in resp.groups:
        if as_json:
            typer.echo(_json(g))
        else:
            ack = f"acked by {g.acknowledged_by}" if g.acknowledged else "waiting"
            typer.echo(f"{g.group_id}  x{g.count:<4} {g.lot_id or '-':<14} {g.cause:<30} {ack}")


@alerts.command("ack")
def alerts_ack(
    group_id: Annotated[str, typer.Argument(help="The group's id (merak alerts list).")],
    note: Annotated[str, typer.Option("--note", "-m", help="What you saw or did (required).")],
    address: Address = DEFAULT_ADDRESS,
    ca_file: CaFile = None,
) -> None:
    """Acknowledge an alert group with a note; the acknowledgement goes on the ledger."""
    from merak.v1 import detection_pb2, detection_pb2_grpc

    with channel(address, ca_file) as ch:
        resp = call(
            detection_pb2_grpc.DetectionServiceStub(ch).AcknowledgeAlert,
            detection_pb2.AcknowledgeAlertRequest(group_id=group_id, note=note),
        )
    g = resp.group
    typer.echo(f"acknowledged {g.count} alert(s) of {g.cause!r}; ledger entry {g.ledger_ref.index}")
