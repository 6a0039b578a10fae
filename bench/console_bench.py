"""Console page loads with 10,000 assessments stored, against the floor: the console's own
``/healthz`` over the same HTTP stack, in the same run.

The five services run as one process (``merak serve``) on a private copy of a synthetic
world; 10,000 of its live declarations (reused under fresh ids) are assessed over gRPC
first. The console runs as its own process (``merak serve console``) and this process is
the browser: it signs in as an officer and an auditor and loads each page sequentially,
timing from request to the last byte. Target: p95 < 300 ms per page.

Run: python -m bench.console_bench [--quick] [--world DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import grpc
import yaml

from bench._common import machine, percentile
from bench.intake_bench import Declarations, _build
from merak.demo import riskworld as _scenario
from merak.v1 import intake_pb2, intake_pb2_grpc

TOKENS = {
    "bench-agency": ("agency", ["agency"]),
    "bench-console": ("console", ["console"]),
    "bench-officer": ("officer", ["officer"]),
    "bench-auditor": ("auditor", ["auditor"]),
}
TARGET_P95_S = 0.300


def _config(root: Path, data: Path) -> Path:
    cfg = root / "merak.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(data),
                "log": {"level": "WARNING", "access_log": False},
                "auth": {
                    "delegates": ["console"],
                    "tokens": [
                        {
                            "identity": who,
                            "sha256": hashlib.sha256(t.encode()).hexdigest(),
                            "roles": roles,
                        }
                        for t, (who, roles) in TOKENS.items()
                    ],
                },
            }
        )
    )
    return cfg


def _start(
    args: list[str], port_file: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    # Its stdout (the console prints its URL) is not part of the report.
    proc = subprocess.Popen(
        [sys.executable, "-m", "merak", *args, "--port-file", str(port_file)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while not port_file.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"{args[:2]} exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{args[:2]} did not start")
        time.sleep(0.1)
    time.sleep(0.2)
    return proc, json.loads(port_file.read_text())


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _fill(port: int, decls: Declarations, n: int) -> list[str]:
    """Assess ``n`` declarations over one stream; their ids."""
    batch = decls.take(n)
    meta = [("authorization", "Bearer bench-agency")]
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        reqs = (intake_pb2.SubmitDeclarationsRequest(correlation_id=str(i), declaration=d)
                for i, d in enumerate(batch))  # fmt: skip
        got = [r for r in stub.SubmitDeclarations(reqs, metadata=meta, timeout=900)
               if r.HasField("assessment")]  # fmt: skip
    return [r.assessment.declaration_id for r in got]


class Browser:
    """A signed-in HTTP client of the console (keep-alive, session cookie)."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        _, headers, _ = self.get("/signin")
        nonce = headers["set-cookie"].split(";")[0]
        body = urllib.parse.urlencode({"nonce": nonce.split("=", 1)[1], "token": token})
        self.conn.request("POST", "/signin", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": nonce})  # fmt: skip
        resp = self.conn.getresponse()
        resp.read()
        if resp.status != 303:
            raise RuntimeError(f"sign-in answered {resp.status}")
        self.cookie = (resp.getheader("Set-Cookie") or "").split(";")[0]

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        headers = {"Cookie": getattr(self, "cookie", "")}
        self.conn.request("GET", path, headers=headers)
        resp = self.conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def time(self, path: str, n: int) -> list[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            status, _, _ = self.get(path)
            out.append(time.perf_counter() - t)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer page loads")
    parser.add_argument("--world", type=Path, default=None, help="reuse a built world here")
    parser.add_argument("--assessments", type=int, default=10_000)
    args = parser.parse_args(argv)
    loads = 30 if args.quick else 150
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = args.world or root / "world"
        print("a world...", file=sys.stderr, flush=True)
        world, _ = _build(base, 8000)
        data = _scenario.private_copy(world, root / "data")
        cfg = _config(root, data)
        env = {**os.environ, "MERAK_RAY_ADDRESS": "", "MERAK_CONSOLE_TOKEN": "bench-console"}
        services, info = _start(["serve", "-c", str(cfg)], root / "services.json", env)
        console = None
        try:
            port = int(info["port"])
            t0 = time.perf_counter()
            ids = _fill(port, Declarations(world.live), args.assessments)
            print(f"{len(ids)} assessed in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            with cfg.open("a") as f:
                f.write(yaml.safe_dump({"console": {"target": f"127.0.0.1:{port}"}}))
            console, cinfo = _start(
                ["serve", "console", "-c", str(cfg)], root / "console.json", env
            )
            officer = Browser(int(cinfo["port"]), "bench-officer")
            auditor = Browser(int(cinfo["port"]), "bench-auditor")
            _, _, page1 = officer.get("/queue")
            token = re.search(rb'href="/queue\?([^"]*page=[^"]+)"', page1)
            pages: dict[str, tuple[Browser, str]] = {
                "floor: /healthz": (officer, "/healthz"),
                "risk queue, newest 50": (officer, "/queue"),
                "risk queue, red only": (officer, "/queue?channel=red"),
                "risk queue, risk >= 0.5, one area": (officer, "/queue?min_risk=0.5&area=taxation"),
                "risk queue, page 2": (
                    officer,
                    "/queue?" + (token.group(1).decode().replace("&amp;", "&") if token else ""),
                ),
                "declaration": (officer, f"/declarations/{urllib.parse.quote(ids[len(ids) // 2])}"),
                "ledger, newest 50": (auditor, "/ledger"),
                "ledger, outcomes only": (auditor, "/ledger?type=inspection_outcome"),
                "ledger entry": (auditor, "/ledger/100"),
                "inclusion proof (JSON)": (auditor, "/api/ledger/100/proof"),
            }
            results = {}
            for name, (who, path) in pages.items():
                who.time(path, 3)  # warm
                results[name] = who.time(path, loads)
                print(
                    f"  {name}: p95 {percentile(results[name], 0.95) * 1e3:.1f} ms", file=sys.stderr
                )
        finally:
            if console is not None:
                _stop(console)
            _stop(services)
    floor = sorted(results["floor: /healthz"])[len(results["floor: /healthz"]) // 2]
    shown = ["DIR" if "/" in a else a for a in (sys.argv[1:] if argv is None else argv)]
    print("## Console page loads\n")
    print(
        f"`python -m bench.console_bench {' '.join(shown)}` — {time.strftime('%Y-%m-%d')}, "
        f"{machine()}; "
        f"{len(ids):,} assessments stored, {loads} sequential loads per page, "
        "services and console each in its own process. Target: p95 < 300 ms.\n"
    )
    print("| page | p50 | p95 | p50 / floor | p95 < 300 ms |")
    print("|---|---|---|---|---|")
    ok = True
    for name, samples in results.items():
        p50, p95 = sorted(samples)[len(samples) // 2], percentile(samples, 0.95)
        met = p95 < TARGET_P95_S
        ok = ok and met
        print(
            f"| {name} | {p50 * 1e3:.1f} ms | {p95 * 1e3:.1f} ms | {p50 / floor:.1f}× "
            f"| {'yes' if met else '**no**'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
