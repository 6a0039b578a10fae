"""The console's pages: sign-in, risk queue, declaration, terminal, lot, models, ledger.

Every page is a gRPC client call (or a few) made for the signed-in person; nothing here
reads a service's database. Forms are POSTs that carry the session's CSRF token.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import logging
import secrets
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from google.protobuf.timestamp_pb2 import Timestamp

from merak.console import _charts as charts
from merak.console import _format as fmt
from merak.console._backend import Backend, BackendError
from merak.console._http import Request, Response, Router
from merak.console._live import LiveHub
from merak.console._session import COOKIE, Person, Session, Sessions, SignInError, same_secret
from merak.core.config import ConsoleConfig
from merak.v1 import (
    common_pb2,
    detection_pb2,
    feedback_pb2,
    intake_pb2,
    ledger_pb2,
    model_pb2,
    sensor_pb2,
)

log = logging.getLogger("merak.console")

HERE = Path(__file__).parent
STATIC = HERE / "static"
_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
SIGNIN_COOKIE = "merak_signin"

# Pages, the RPC that decides whether a person sees them, and their title.
PAGES = (
    ("/queue", "/merak.v1.IntakeService/ListAssessments", "Risk queue"),
    ("/terminal", "/merak.v1.DetectionService/ListLots", "Terminal"),
    ("/models", "/merak.v1.ModelService/ListModels", "Models"),
    ("/ledger", "/merak.v1.LedgerService/ListEntries", "Ledger"),
)


def _ts(text: str) -> Timestamp | None:
    """A ``datetime-local`` form value (UTC) as a Timestamp; None when empty."""
    if not text:
        return None
    t = dt.datetime.fromisoformat(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    ts = Timestamp()
    ts.FromDatetime(t)
    return ts


def _float(text: str, name: str) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError as exc:
        raise ValueError(f"{name}: expected a number, got {text!r}") from exc


def _raw_public_key(path: str) -> str:
    """The pinned ledger key as base64 of its raw 32 bytes ('' when none is configured)."""
    if not path:
        return ""
    data = Path(path).read_bytes()
    if len(data) == 32:
        return base64.b64encode(data).decode()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


class ConsoleApp:
    """Routes a request to its page; the HTTP server calls it."""

    def __init__(
        self,
        config: ConsoleConfig,
        sessions: Sessions,
        backend: Backend,
        hub: LiveHub,
        secure_cookies: bool,
    ):
        self.config = config
        self.sessions = sessions
        self.backend = backend
        self.hub = hub
        self.secure_cookies = secure_cookies
        self.public_key = _raw_public_key(config.ledger_public_key_file)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals["area_name"] = fmt.area
        self.env.globals["channel_name"] = fmt.channel
        self.env.globals["when"] = fmt.when
        self.env.filters["area"] = fmt.area
        for name, enum, prefix in (
            ("lot_state", detection_pb2.LotState, "LOT_STATE_"),
            ("verdict_kind", detection_pb2.VerdictKind, "VERDICT_KIND_"),
            ("sensor_kind", sensor_pb2.SensorKind, "SENSOR_KIND_"),
            ("severity", detection_pb2.AlertSeverity, "ALERT_SEVERITY_"),
        ):
            self.env.globals[name] = functools.partial(fmt.enum_name, enum, prefix=prefix)
        self.router = Router()
        r = self.router.add
        r("GET", "/signin", self.signin_page)
        r("POST", "/signin", self.signin)
        r("POST", "/signout", self.signout)
        r("GET", "/", self.home)
        r("GET", "/events", self.events)
        r("GET", "/static/{name}", self.static)
        r("GET", "/healthz", lambda req: Response.text("ok"))
        r("GET", "/queue", self.queue)
        r("GET", "/declarations/{declaration_id}", self.declaration)
        r("POST", "/declarations/{declaration_id}/outcome", self.report_outcome)
        r("GET", "/terminal", self.terminal)
        r("GET", "/lots/{lot_id}", self.lot)
        r("POST", "/alerts/{group_id}/ack", self.acknowledge)
        r("GET", "/models", self.models)
        r("POST", "/models/{version}/promote", self.promote)
        r("POST", "/models/retrain", self.retrain)
        r("GET", "/ledger", self.ledger)
        r("GET", "/ledger/{index}", self.ledger_entry)
        r("GET", "/api/ledger/{index}/proof", self.ledger_proof)

    # -- plumbing ----------------------------------------------------------------------
    def __call__(self, request: Request) -> Response:
        handler, params, exists = self.router.match(request.method, request.path)
        if handler is None:
            return self._error(None, 405 if exists else 404, "no such page")
        request.params = params
        session = self.sessions.get(request.cookies.get(COOKIE))
        public = request.path in ("/signin", "/healthz") or request.path.startswith("/static/")
        if not public:
            refused = self._admit(request, session)
            if refused is not None:
                return refused
            request.state["session"] = session
        try:
            return handler(request)
        except BackendError as err:
            what = err.code.name.lower().replace("_", " ")
            return self._error(
                session, err.http_status, f"{err.service} service: {what}: {err.message}"
            )
        except ValueError as err:
            return self._error(session, 400, str(err))

    def _admit(self, request: Request, session: Session | None) -> Response | None:
        """None when the request may go on; otherwise the answer that refuses it."""
        if session is None:
            if request.method == "GET" and not request.path.startswith(("/api/", "/events")):
                query = "?" + urllib.parse.urlencode(request.query) if request.query else ""
                target = urllib.parse.quote(request.path + query)
                return Response.redirect(f"/signin?next={target}")
            return Response.text("sign in first", 401)
        if request.method == "POST" and not self.sessions.csrf_ok(
            session, request.form.get("csrf", "")
        ):
            stale = "the form's security token is missing or stale; reload the page and try again"
            return self._error(session, 403, stale)
        return None

    def _session(self, request: Request) -> Session:
        session: Session = request.state["session"]
        return session

    def _person(self, request: Request) -> Person:
        return self._session(request).person

    def allowed(self, person: Person, method: str) -> bool:
        return self.sessions.allows(person, method)

    def render(
        self, request: Request | None, template: str, status: int = 200, **context: Any
    ) -> Response:
        session: Session | None = request.state.get("session") if request is not None else None
        person = session.person if session else None
        nav = [(p, title) for p, method, title in PAGES if person and self.allowed(person, method)]
        html = self.env.get_template(template).render(
            person=person,
            csrf=session.csrf if session else "",
            nav=nav,
            path=request.path if request is not None else "",
            can=(lambda m: bool(person and self.allowed(person, m))),
            **context,
        )
        return Response(status=status, body=html.encode("utf-8"))

    def _error(self, session: Session | None, status: int, message: str) -> Response:
        fake = Request("GET", "", {}, {}, {}, {})
        if session is not None:
            fake.state["session"] = session
        return self.render(fake, "error.html", status=status, status_code=status, message=message)

    def _call(self, request: Request, service: str, method: str, message: Any) -> Any:
        return self.backend.call(service, method, message, self._person(request).identity)

    # -- sign-in -----------------------------------------------------------------------
    def signin_page(self, request: Request, error: str = "", status: int = 200) -> Response:
        nonce = request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(24)
        resp = self.render(
            request,
            "signin.html",
            status=status,
            error=error,
            nonce=nonce,
            next=request.query.get("next", request.form.get("next", "/")),
            certificate=request.client_cert_cn,
        )
        resp.headers["Set-Cookie"] = self._cookie(SIGNIN_COOKIE, nonce, 600)
        return resp

    def signin(self, request: Request) -> Response:
        nonce = request.cookies.get(SIGNIN_COOKIE, "")
        if not same_secret(nonce, request.form.get("nonce", "")):
            return self.signin_page(request, "the sign-in form expired; please try again", 403)
        try:
            if request.form.get("method") == "certificate":
                person = self.sessions.person_for_certificate(request.client_cert_cn)
            else:
                person = self.sessions.person_for_token(request.form.get("token", ""))
        except SignInError as err:
            log.info("console: sign-in refused: %s", err)
            return self.signin_page(request, str(err), 401)
        session = self.sessions.open(person)
        log.info("console: %s signed in (%s)", person.identity, person.method)
        target = request.form.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        resp = Response.redirect(target)
        resp.headers["Set-Cookie"] = self._cookie(COOKIE, session.id, None)
        return resp

    def signout(self, request: Request) -> Response:
        self.sessions.close(self._session(request).id)
        resp = Response.redirect("/signin")
        resp.headers["Set-Cookie"] = self._cookie(COOKIE, "", 0)
        return resp

    def _cookie(self, name: str, value: str, max_age: int | None) -> str:
        parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure_cookies:
            parts.append("Secure")
        return "; ".join(parts)

    def home(self, request: Request) -> Response:
        person = self._person(request)
        for path, method, _ in PAGES:
            if self.allowed(person, method):
                return Response.redirect(path)
        return self.render(request, "home.html")

    def static(self, request: Request) -> Response:
        name = request.params["name"]
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return Response.text("not found", 404)
        resp = Response(
            body=path.read_bytes(), content_type=_TYPES.get(path.suffix, "application/octet-stream")
        )
        resp.headers["Cache-Control"] = "private, max-age=300"
        return resp

    def events(self, request: Request) -> Response:
        person = self._person(request)
        stream = self.hub.subscribe(lambda method: self.allowed(person, method))
        return Response(
            content_type="text/event-stream", stream=stream, headers={"X-Accel-Buffering": "no"}
        )

    # -- targeting officer ---------------------------------------------------------------
    def queue(self, request: Request) -> Response:
        q = request.query
        req = intake_pb2.ListAssessmentsRequest(
            office_code=q.get("office", "").strip(),
            min_risk_score=_float(q.get("min_risk", ""), "min risk"),
            max_risk_score=_float(q.get("max_risk", ""), "max risk"),
            page_size=self.config.page_size,
            page_token=q.get("page", ""),
        )
        if q.get("channel"):
            req.channels.append(common_pb2.Channel.Value("CHANNEL_" + q["channel"].upper()))
        if q.get("area"):
            req.business_area = common_pb2.BusinessArea.Value("BUSINESS_AREA_" + q["area"].upper())
        for key, field in (("from", "from_time"), ("to", "to_time")):
            ts = _ts(q.get(key, ""))
            if ts is not None:
                getattr(req, field).CopyFrom(ts)
        resp = self._call(request, "intake", "ListAssessments", req)
        rows = [fmt.assessment(a) for a in resp.assessments]
        nxt = (
            urllib.parse.urlencode({**q, "page": resp.next_page_token})
            if resp.next_page_token
            else ""
        )
        areas = [
            n.removeprefix("BUSINESS_AREA_").lower() for n in common_pb2.BusinessArea.keys()[1:]
        ]
        channels = [n.removeprefix("CHANNEL_").lower() for n in common_pb2.Channel.keys()[1:]]
        return self.render(
            request,
            "queue.html",
            rows=rows,
            total=resp.total_count,
            next_query=nxt,
            q=q,
            areas=areas,
            channels=channels,
        )

    def declaration(self, request: Request) -> Response:
        did = request.params["declaration_id"]
        a = self._call(
            request, "intake", "GetAssessment", intake_pb2.GetAssessmentRequest(declaration_id=did)
        ).assessment
        outcomes = []
        if self.allowed(self._person(request), "/merak.v1.FeedbackService/ListOutcomes"):
            outcomes = list(
                self._call(
                    request,
                    "feedback",
                    "ListOutcomes",
                    feedback_pb2.ListOutcomesRequest(declaration_id=did),
                ).outcomes
            )
        by_area: dict[str, float] = {}
        for c in a.contributions:
            for ar in c.business_areas or [0]:
                name = fmt.area(ar) if ar else "other"
                by_area[name] = by_area.get(name, 0.0) + c.contribution / max(
                    1, len(c.business_areas)
                )
        sources = [
            n.removeprefix("OUTCOME_SOURCE_").lower()
            for n in feedback_pb2.OutcomeSource.keys()[1:4]
        ]
        return self.render(
            request,
            "declaration.html",
            a=a,
            row=fmt.assessment(a),
            outcomes=outcomes,
            by_area=sorted(by_area.items(), key=lambda kv: -abs(kv[1])),
            outcome_id=f"console-{uuid.uuid4()}",
            sources=sources,
            areas=[
                n.removeprefix("BUSINESS_AREA_").lower() for n in common_pb2.BusinessArea.keys()[1:]
            ],
            saved=request.query.get("saved", ""),
        )

    def report_outcome(self, request: Request) -> Response:
        did = request.params["declaration_id"]
        f = request.form
        outcome = feedback_pb2.InspectionOutcome(
            outcome_id=f.get("outcome_id") or f"console-{uuid.uuid4()}",
            declaration_id=did,
            source=feedback_pb2.OutcomeSource.Value(
                "OUTCOME_SOURCE_" + (f.get("source") or "physical_inspection").upper()
            ),
            inspector_id=self._person(request).identity,
            finding=f.get("finding") == "yes",
            remarks=f.get("remarks", "")[:2000],
        )
        outcome.inspected_time.GetCurrentTime()
        if f.get("area"):
            outcome.business_areas.append(
                common_pb2.BusinessArea.Value("BUSINESS_AREA_" + f["area"].upper())
            )
        resp = self._call(
            request, "feedback", "ReportOutcome", feedback_pb2.ReportOutcomeRequest(outcome=outcome)
        )
        saved = str(resp.ledger_ref.index) if resp.HasField("ledger_ref") else "yes"
        return Response.redirect(f"/declarations/{urllib.parse.quote(did)}?saved={saved}")

    # -- terminal operator -------------------------------------------------------------
    def _alert_groups(
        self, request: Request, query: detection_pb2.ListAlertsRequest
    ) -> list[detection_pb2.AlertGroup]:
        """The alert groups, when the person's roles may list them (else none)."""
        if not self.allowed(self._person(request), "/merak.v1.DetectionService/ListAlerts"):
            return []
        return list(self._call(request, "detection", "ListAlerts", query).groups)

    def terminal(self, request: Request) -> Response:
        lots = self._call(
            request,
            "detection",
            "ListLots",
            detection_pb2.ListLotsRequest(page_size=self.config.page_size),
        )
        groups = self._alert_groups(
            request,
            detection_pb2.ListAlertsRequest(
                include_acknowledged=request.query.get("all") == "1", page_size=100
            ),
        )
        return self.render(
            request,
            "terminal.html",
            lots=list(lots.lots),
            groups=groups,
            show_all=request.query.get("all") == "1",
        )

    def lot(self, request: Request) -> Response:
        resp = self._call(
            request,
            "detection",
            "GetLot",
            detection_pb2.GetLotRequest(lot_id=request.params["lot_id"]),
        )
        groups = self._alert_groups(
            request,
            detection_pb2.ListAlertsRequest(
                lot_id=resp.lot.lot_id, include_acknowledged=True, page_size=100
            ),
        )
        traces = None
        if self.allowed(self._person(request), "/merak.v1.DetectionService/GetLotTraces"):
            traces = self._call(
                request,
                "detection",
                "GetLotTraces",
                detection_pb2.GetLotTracesRequest(lot_id=resp.lot.lot_id),
            )
        return self.render(
            request,
            "lot.html",
            traces=traces,
            radiation_svg=charts.radiation_svg,
            nir_svg=charts.nir_svg,
            camera_svg=charts.camera_svg,
            lot=resp.lot,
            verdict=resp.verdict,
            has_verdict=resp.HasField("verdict"),
            groups=groups,
        )

    def acknowledge(self, request: Request) -> Response:
        note = request.form.get("note", "").strip()
        if not note:
            raise ValueError("an acknowledgement needs a note: say what you saw or did")
        self._call(
            request,
            "detection",
            "AcknowledgeAlert",
            detection_pb2.AcknowledgeAlertRequest(
                group_id=request.params["group_id"], note=note[:2000]
            ),
        )
        back = request.form.get("back", "/terminal")
        return Response.redirect(
            back if back.startswith("/") and not back.startswith("//") else "/terminal"
        )

    # -- model steward -----------------------------------------------------------------
    def models(self, request: Request) -> Response:
        models = list(
            self._call(request, "models", "ListModels", model_pb2.ListModelsRequest()).models
        )
        comparison = None
        champ = request.query.get("champion", "")
        chall = request.query.get("challenger", "")
        if champ and chall:
            comparison = self._call(
                request,
                "models",
                "CompareModels",
                model_pb2.CompareModelsRequest(champion_version=champ, challenger_version=chall),
            )
        champion = next((m.version for m in models if m.role == model_pb2.MODEL_ROLE_CHAMPION), "")
        drift, drift_note = None, ""
        if self.allowed(self._person(request), "/merak.v1.ModelService/GetDrift"):
            try:
                drift = self._call(request, "models", "GetDrift", model_pb2.GetDriftRequest(top=15))
            except BackendError as err:
                drift_note = err.message  # e.g. too few scored declarations yet
        return self.render(
            request,
            "models.html",
            models=models,
            comparison=comparison,
            champion=champion,
            champ=champ or champion,
            drift=drift,
            drift_note=drift_note,
            chall=chall,
            notice=request.query.get("notice", ""),
            role=lambda n: fmt.enum_name(model_pb2.ModelRole, n, "MODEL_ROLE_"),
            metric=_metric,
        )

    def promote(self, request: Request) -> Response:
        version = request.params["version"]
        reason = request.form.get("reason", "").strip()
        if not reason:
            raise ValueError("a promotion or roll-back needs a reason")
        resp = self._call(
            request,
            "models",
            "PromoteModel",
            model_pb2.PromoteModelRequest(version=version, reason=reason[:1000]),
        )
        notice = f"{version} is champion (ledger entry {resp.ledger_index})"
        return Response.redirect("/models?" + urllib.parse.urlencode({"notice": notice}))

    def retrain(self, request: Request) -> Response:
        resp = self._call(request, "models", "RetrainModel", model_pb2.RetrainModelRequest())
        return Response.redirect(
            "/models?"
            + urllib.parse.urlencode({"notice": f"retraining started: job {resp.job_id}"})
        )

    # -- auditor -----------------------------------------------------------------------
    def ledger(self, request: Request) -> Response:
        q = request.query
        req = ledger_pb2.ListEntriesRequest(
            newest_first=True,
            page_size=self.config.page_size,
            subject_id=q.get("subject", "").strip(),
        )
        if q.get("start"):
            req.start_index = int(_float(q["start"], "start"))
        if q.get("type"):
            req.type = ledger_pb2.EntryType.Value(
                "ENTRY_TYPE_" + q["type"].upper().replace(" ", "_")
            )
        page = self._call(request, "ledger", "ListEntries", req)
        head = self._call(
            request, "ledger", "GetSignedTreeHead", ledger_pb2.GetSignedTreeHeadRequest()
        ).tree_head
        rows = [fmt.entry(e.entry, e.ref.index) for e in page.entries]
        nxt = urllib.parse.urlencode({**q, "start": page.next_index}) if page.next_index > 0 else ""
        types = [n.removeprefix("ENTRY_TYPE_").lower() for n in ledger_pb2.EntryType.keys()[1:]]
        return self.render(
            request,
            "ledger.html",
            rows=rows,
            head=head,
            log_size=page.log_size,
            next_query=nxt,
            q=q,
            types=types,
            root=base64.b64encode(head.root_hash).decode(),
        )

    def ledger_entry(self, request: Request) -> Response:
        index = int(_float(request.params["index"], "index"))
        resp = self._call(request, "ledger", "GetEntry", ledger_pb2.GetEntryRequest(index=index))
        return self.render(
            request,
            "entry.html",
            row=fmt.entry(resp.entry, index),
            payload=fmt.payload_dict(resp.entry),
            public_key=self.public_key,
            entry=resp.entry,
        )

    def ledger_proof(self, request: Request) -> Response:
        index = int(_float(request.params["index"], "index"))
        entry = self._call(
            request, "ledger", "GetEntry", ledger_pb2.GetEntryRequest(index=index)
        ).entry
        proof = self._call(
            request, "ledger", "GetInclusionProof", ledger_pb2.GetInclusionProofRequest(index=index)
        )
        head = proof.tree_head
        return Response.json(
            {
                "leaf_data": base64.b64encode(entry.SerializeToString(deterministic=True)).decode(),
                "proof": {
                    "leaf_index": proof.proof.leaf_index,
                    "tree_size": proof.proof.tree_size,
                    "hashes": [base64.b64encode(h).decode() for h in proof.proof.hashes],
                },
                "tree_head": {
                    "origin": head.origin,
                    "tree_size": head.tree_size,
                    "root_hash": base64.b64encode(head.root_hash).decode(),
                    "timestamp_seconds": head.timestamp.seconds,
                    "timestamp_nanos": head.timestamp.nanos,
                    "signature": base64.b64encode(head.signature).decode(),
                    "key_id": base64.b64encode(head.key_id).decode(),
                },
            }
        )


def _metric(
    model: model_pb2.ModelVersion | list[model_pb2.SelectionMetric], name: str, at: float
) -> str:
    metrics = model.metrics if isinstance(model, model_pb2.ModelVersion) else model
    for m in metrics:
        if m.name == name and abs(m.at_percent - at) < 1e-9:
            return f"{m.value:.3f}"
    return "—"


def make_handler(app: ConsoleApp) -> Callable[[Request], Response]:
    return app
