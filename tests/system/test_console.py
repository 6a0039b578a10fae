"""The console in a real Chromium against real servers: sign in, the risk queue live, a
declaration's reasons, an outcome onto the ledger, an alert acknowledged, an entry's proof
verified in the browser (and a tampered one rejected), and a promotion refused to a person
without the role. Screenshots of each page at 1366x768 go to var/screenshots/console/.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect

from merak.console import Console, create_console
from merak.core.config import load_config
from merak.demo import riskworld
from merak.hal import Description, FrameSender, Kind, Reading
from merak.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    feedback_pb2,
    intake_pb2,
    intake_pb2_grpc,
    ledger_pb2,
    ledger_pb2_grpc,
)
from tests.servers import StartServer

pytestmark = pytest.mark.system

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("MERAK_SCREENSHOT_DIR", "var/screenshots/console"))

PEOPLE = {
    "agency-token": ("dps", ["agency"]),
    "console-token": ("console", ["console"]),
    "officer-token": ("officer-1", ["officer"]),
    "operator-token": ("operator-1", ["operator"]),
    "auditor-token": ("auditor-1", ["auditor"]),
    "reader-token": ("reader-1", ["model_reader"]),
    "admin-token": ("ops", ["admin"]),
}


def _auth() -> dict[str, Any]:
    return {
        "tokens": [
            {"identity": who, "sha256": hashlib.sha256(tok.encode()).hexdigest(), "roles": roles}
            for tok, (who, roles) in PEOPLE.items()
        ],
        "delegates": ["console"],
        # Reads models, may not promote them.
        "roles": {"model_reader": ["/merak.v1.ModelService/ListModels"]},
    }


def _bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def _wait(cond: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def stack(
    world: riskworld.RiskWorld, start_server: StartServer, tmp_path: Path
) -> Iterator[tuple[Any, int, Console]]:
    data = riskworld.private_copy(world, tmp_path / "data")
    server, port = start_server(data_dir=str(data), auth=_auth(), ledger={"sign_every_ms": 100})
    key = serialization.load_pem_private_key((data / "ledger/ledger.key").read_bytes(), None)
    raw = key.public_key().public_bytes(  # type: ignore[union-attr]
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    (tmp_path / "ledger.pub").write_bytes(raw)
    config = load_config(
        environ={},
        overrides={
            "auth": _auth(),
            "log": {"access_log": False},
            "console": {
                "host": "127.0.0.1",
                "port": 0,
                "target": f"127.0.0.1:{port}",
                "ledger_public_key_file": str(tmp_path / "ledger.pub"),
            },
        },
    )
    console, _ = create_console(config, token="console-token")
    console.start()
    yield server, port, console
    console.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _page(browser: Any, console: Console) -> Any:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=console.url)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    return page


def _sign_in(page: Any, token: str) -> None:
    page.goto("/signin")
    page.fill("#token", token)
    page.click("#signin-button")
    page.wait_for_load_state("domcontentloaded")


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _no_error(page: Any) -> None:
    """Fail with the console's message when a form landed on its error page."""
    page.wait_for_load_state("domcontentloaded")
    if page.locator("#error-message").count():
        raise AssertionError(f"console error page: {page.inner_text('#error-message')}")


def _entry(port: int, index: int) -> ledger_pb2.LedgerEntry:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = ledger_pb2_grpc.LedgerServiceStub(ch)
        got = stub.GetEntry(
            ledger_pb2.GetEntryRequest(index=index), metadata=_bearer("admin-token"), timeout=10
        )
        return got.entry


@pytest.mark.timeout(600)
def test_console_flows_in_a_real_browser(
    stack: tuple[Any, int, Console], browser: Any, world: riskworld.RiskWorld
) -> None:
    server, port, console = stack
    page = _page(browser, console)

    # Nothing but the sign-in page without a session; a wrong token is told so.
    page.goto("/queue")
    assert "/signin" in page.url
    page.fill("#token", "not-a-token")
    page.click("#signin-button")
    assert "not recognised" in page.inner_text("#signin-error")
    _shot(page, "signin")

    # A targeting officer watches a declaration arrive in the queue.
    _sign_in(page, "officer-token")
    assert page.url.endswith("/queue")
    expect(page.locator("#live-dot")).to_have_class(re.compile(r"\bon\b"))
    declaration = world.live[0]
    did = declaration.header.declaration_id
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        assessed = intake.SubmitDeclaration(
            intake_pb2.SubmitDeclarationRequest(declaration=declaration),
            metadata=_bearer("agency-token"),
            timeout=60,
        ).assessment
    row = page.locator(f"#queue-rows tr[data-id='{did}']")
    row.wait_for()
    assert f"{assessed.risk_score:.3f}" in row.inner_text()
    _shot(page, "queue")

    # The listing (ListAssessments) has it too, not only the live push.
    def listed() -> bool:
        page.reload()
        return page.locator(f"#queue-rows tr[data-id='{did}']").count() == 1

    _wait(listed, "the declaration in the listing after a reload", timeout=10)

    # ... opens it and reads why.
    page.click(f"#queue-rows tr[data-id='{did}'] a")
    page.wait_for_selector("#reasons")
    reasons = page.locator("#reasons li").all_inner_texts()
    assert reasons and reasons == list(assessed.reasons)
    assert page.inner_text("#channel").strip() != ""
    _shot(page, "declaration")

    # ... and records the inspection outcome; it lands on the ledger under their name.
    page.select_option("#finding", "yes")
    page.select_option("select[name=area]", "taxation")
    page.fill("#remarks", "undervalued invoice, console test")
    page.click("#outcome-submit")
    _no_error(page)
    page.locator("#outcome-saved").wait_for()
    index = int(page.locator("#outcome-saved a").inner_text().lstrip("#"))
    entry = _entry(port, index)
    assert entry.type == ledger_pb2.ENTRY_TYPE_INSPECTION_OUTCOME
    assert entry.subject_id == did
    outcome = feedback_pb2.InspectionOutcome.FromString(entry.payload)
    assert outcome.finding and outcome.inspector_id == "officer-1"
    assert list(outcome.business_areas) == [common_pb2.BUSINESS_AREA_TAXATION]
    assert outcome.remarks == "undervalued invoice, console test"

    # A terminal operator acknowledges a repeated alert (two clean stops of one sensor).
    node_end = server.context.detection_ingest.endpoint
    camera = Description("cam-9", Kind.CAMERA, (64, 64), "uint8", "dn", "cal-1", 1.0)
    for run in range(2):
        tx = FrameSender(node_end, site_id="QDG", heartbeat_s=3600)
        ch = tx.channel(camera)
        for i in range(2):
            ch.publish(Reading(np.zeros((64, 64), np.uint8), time.time_ns() + i))
        assert tx.flush(10.0), f"run {run}: frames not acknowledged"
        tx.close()
    # A lot with a truck carrying a point source past the portal.
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        detection = detection_pb2_grpc.DetectionServiceStub(ch)
        lot = detection_pb2.Lot(
            lot_id="L-CONSOLE", site_id="QDG", belt_id="B1", commodity="iron ore"
        )
        detection.OpenLot(
            detection_pb2.OpenLotRequest(lot=lot), metadata=_bearer("admin-token"), timeout=10
        )
        portal = Description("rpm-9", Kind.RPM, (9,), "uint32", "counts", "cal-1", 5.0, "B1")
        tx = FrameSender(node_end, site_id="QDG", heartbeat_s=3600)
        ch_rpm = tx.channel(portal)
        rng = np.random.default_rng(5)
        for i in range(85):
            occupied = 40 <= i < 75
            rate = np.full(4, 280.0 if occupied else 400.0)
            if occupied and 55 <= i < 60:
                rate[:2] += 150.0
            row = np.concatenate([rng.poisson(np.concatenate([rate, [0.4] * 4])), [occupied]])
            ch_rpm.publish(Reading(row.astype(np.uint32), time.time_ns()))
        assert tx.flush(10.0)
        tx.close()

    page.click("form[action='/signout'] button")
    _sign_in(page, "operator-token")
    assert page.url.endswith("/terminal")
    page.goto("/lots/L-CONSOLE")
    expect(page.locator("svg.chart.alarm")).to_have_count(1)
    _shot(page, "lot")

    def two_alerts() -> bool:
        page.goto("/terminal")
        return "×2" in page.inner_text("#alerts")

    _wait(two_alerts, "a group of two alerts of one cause")
    group = page.locator("#alerts .alert", has_text="×2").first
    _shot(page, "terminal")
    group.locator("input[name=note]").fill("checked on site: planned node restart")
    group.locator("button").click()
    _no_error(page)
    page.goto("/terminal?all=1")
    acked = page.locator("#alerts .alert.acked").first
    assert "operator-1" in acked.inner_text()
    ack_index = int(acked.locator("a[href^='/ledger/']").inner_text().split("#")[1])
    ack = detection_pb2.AlertAcknowledgement.FromString(_entry(port, ack_index).payload)
    assert (ack.count, ack.acknowledged_by) == (2, "operator-1")
    assert ack.note == "checked on site: planned node restart"

    # An auditor verifies the outcome's inclusion proof in the browser ...
    page.click("form[action='/signout'] button")
    _sign_in(page, "auditor-token")
    _shot(page, "ledger")
    page.goto(f"/ledger/{index}")
    verdict = page.locator("#verify-status")

    def verified() -> bool:
        page.click("#verify-button")
        expect(verdict).not_to_have_class(re.compile("pending"))
        return verdict.inner_text() == "verified"

    _wait(verified, "the entry to fall under a signed tree head", timeout=20)
    assert "INSPECTION_OUTCOME" in page.inner_text("#verify-entry")
    _shot(page, "entry-verified")

    # ... and a tampered proof is rejected.
    def tamper(route: Any) -> None:
        resp = route.fetch()
        body = resp.json()
        hashes = body["proof"]["hashes"]
        if hashes:
            raw = bytearray(base64.b64decode(hashes[0]))
            raw[0] ^= 1
            hashes[0] = base64.b64encode(bytes(raw)).decode()
        else:
            body["leaf_data"] = base64.b64encode(
                b"\x00" + base64.b64decode(body["leaf_data"])
            ).decode()
        route.fulfill(
            response=resp,
            body=json.dumps(body),
            headers={**resp.headers, "content-type": "application/json"},
        )

    page.route("**/api/ledger/*/proof", tamper)
    page.click("#verify-button")
    expect(verdict).not_to_have_class(re.compile("pending"))
    assert verdict.inner_text() == "not verified"
    _shot(page, "entry-tampered")
    page.unroute("**/api/ledger/*/proof")

    # A person who may read models but not promote them cannot promote, even by a forged form.
    page.click("form[action='/signout'] button")
    _sign_in(page, "reader-token")
    page.goto("/models")
    assert page.locator(".promote-form").count() == 0
    _shot(page, "models")
    csrf = page.locator("form[action='/signout'] input[name=csrf]").get_attribute("value")
    resp = page.request.post(
        f"{console.url}/models/v9999/promote", form={"csrf": csrf, "reason": "forged"}
    )
    assert resp.status == 403
    assert "permission denied" in resp.text()


def test_console_refuses_without_session_or_csrf(stack: tuple[Any, int, Console]) -> None:
    _, _, console = stack
    host, port = urllib.parse.urlsplit(console.url).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/queue")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 303 and resp.getheader("Location", "").startswith("/signin")
    conn.request("GET", "/api/ledger/0/proof")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 401
    # Sign in, then post a form without the session's CSRF token.
    conn.request("GET", "/signin")
    resp = conn.getresponse()
    resp.read()
    nonce = resp.getheader("Set-Cookie", "").split(";")[0]
    body = urllib.parse.urlencode({"nonce": nonce.split("=", 1)[1], "token": "officer-token"})
    conn.request(
        "POST",
        "/signin",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": nonce},
    )
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 303
    session = resp.getheader("Set-Cookie", "").split(";")[0]
    conn.request(
        "POST",
        "/declarations/X/outcome",
        urllib.parse.urlencode({"finding": "yes"}),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": session},
    )
    resp = conn.getresponse()
    assert resp.status == 403
    assert b"security token" in resp.read()
    # Security headers on every page.
    conn.request("GET", "/signin")
    resp = conn.getresponse()
    resp.read()
    assert "frame-ancestors 'none'" in resp.getheader("Content-Security-Policy", "")
    conn.close()
