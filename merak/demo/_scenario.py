"""``merak demo``: the whole platform on a synthetic world, every server its own process.

The scenario (docs/demo.md): a synthetic trade world split in time, a champion trained on
its history; the five servers start (ledger first, the others append to it over gRPC);
the held-out later slice is streamed over gRPC at a steady rate while simulated inspections
feed outcomes back; a retrain job publishes a challenger, scored in shadow and promoted only
on measured uplift; meanwhile a vessel unloads five lots at a belt whose HAL node streams
NIR, camera and radiation frames to the detection service. It ends with a terminal summary,
an HTML report, a clean stop of every server and an offline verification of the ledger.
"""

from __future__ import annotations

import math
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from merak.core.config import SERVICE_NAMES, MerakConfig, load_config
from merak.core.errors import ConfigError
from merak.demo._supervisor import Servers, say, server_config

POOL_TIMEOUT_S = 30.0
RETRAIN_TIMEOUT_S = 420.0
T = TypeVar("T")


@dataclass(frozen=True)
class Sizes:
    """How big a run is."""

    declarations: int  # whole world; the last quarter of its days is the live stream
    days: int
    rate: float  # declarations per second over gRPC (0: as fast as the stream allows)
    terminal_speed: float  # simulated seconds of unloading per wall second (0: no pacing)
    nir_scans: int
    nir_epochs: int


FULL = Sizes(
    declarations=16_000, days=200, rate=150.0, terminal_speed=12.0, nir_scans=300, nir_epochs=8
)
QUICK = Sizes(
    declarations=6_000, days=120, rate=150.0, terminal_speed=0.0, nir_scans=300, nir_epochs=8
)


class DemoError(Exception):
    """A step of the demo failed; the message says which and why."""


def _show_validation(address: str, token: str) -> None:
    """Submit an empty declaration and print the field violations the server returns."""
    import grpc
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    from merak.v1 import intake_pb2, intake_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        stub = intake_pb2_grpc.IntakeServiceStub(channel)  # type: ignore[no-untyped-call]
        try:
            stub.SubmitDeclaration(
                intake_pb2.SubmitDeclarationRequest(declaration={}),
                metadata=[("authorization", f"Bearer {token}")],
                timeout=10,
            )
        except grpc.RpcError as err:
            say(f"  SubmitDeclaration(empty declaration) -> {err.code().name}")
            status = rpc_status.from_call(err)
            for detail in status.details if status else []:
                bad = error_details_pb2.BadRequest()
                if detail.Unpack(bad):
                    for fv in bad.field_violations:
                        say(f"    {fv.field}: {fv.description}")
            return
    say("  SubmitDeclaration(empty declaration) -> OK (unexpected)")


def _fed_back(address: str, token: str, lots: list[Any], timeout: float = 15.0) -> int:
    """How many lots' verdicts are outcomes of their declarations (sent asynchronously by
    the detection service, so wait a little for the last ones)."""
    import grpc

    from merak.v1 import feedback_pb2, feedback_pb2_grpc

    linked = [lot for lot in lots if lot.declaration_id and lot.verdict is not None]
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = feedback_pb2_grpc.FeedbackServiceStub(channel)  # type: ignore[no-untyped-call]
        while True:
            found = 0
            for lot in linked:
                listed = stub.ListOutcomes(
                    feedback_pb2.ListOutcomesRequest(declaration_id=lot.declaration_id),
                    metadata=[("authorization", f"Bearer {token}")],
                    timeout=10,
                )
                found += any(o.outcome_id == f"detection/{lot.lot_id}" for o in listed.outcomes)
            if found == len(linked) or time.monotonic() > deadline:
                return found
            time.sleep(0.25)


def _timed(step: str, fn: Callable[[], T]) -> T:
    t = time.monotonic()
    try:
        out = fn()
    except DemoError:
        raise
    except Exception as exc:
        raise DemoError(f"{step}: {type(exc).__name__}: {exc}") from exc
    say(f"  done in {time.monotonic() - t:.1f} s")
    return out


def run_demo(
    config_file: Path | None,
    quick: bool = False,
    out: Path | None = None,
    rate: float | None = None,
    ray: bool = False,
    keep: bool = False,
) -> int:
    try:
        base = load_config(config_file)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="merak-demo-"))
    elif out.exists() and any(out.iterdir()):
        print(f"error: --out {out}: expected a new or empty directory", file=sys.stderr)
        return 2
    sizes = QUICK if quick else FULL
    if rate is not None:
        if rate < 0:
            print(f"error: --rate: expected >= 0, got {rate}", file=sys.stderr)
            return 2
        sizes = Sizes(**{**sizes.__dict__, "rate": rate})
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    run = _Run(base, sizes, out, quick, ray or bool(base.models.ray_address))
    run.keep = keep
    return run.run()


class _Run:
    """One demo run, step by step."""

    def __init__(self, base: MerakConfig, sizes: Sizes, out: Path, quick: bool, ray: bool):
        self.base = base
        self.sizes = sizes
        self.out = out
        self.quick = quick
        self.ray = ray
        self.tokens = {
            n: secrets.token_urlsafe(24)
            for n in ("agency", "analyst", "terminal", "control", "services", "console", "desk")
        }
        # --keep: everything stays up for a person to look around until Ctrl-C.
        self.keep = False
        self.started = time.monotonic()
        self.steps = 9
        self.step = 0

    def _step(self, title: str) -> None:
        self.step += 1
        elapsed = time.monotonic() - self.started
        say(f"[{self.step}/{self.steps}] {title}  (t = {elapsed:.0f} s)")

    def run(self) -> int:
        from merak.demo._stats import Stats

        mode = "quick" if self.quick else "full"
        say(f"Merak demo ({mode} run; world, logs and report in {self.out})")
        self.stats = Stats()
        servers: Servers | None = None
        failed = False
        result: dict[str, Any] = {}
        try:
            self._build()
            cfg_path = server_config(self.base, self.out, self.tokens, self.ray)
            servers = Servers(cfg_path, self.out, self.base.metrics.host)
            failed |= self._start_servers(servers)
            if not failed:
                result = self._scenario(servers)
            if self.keep and not failed:
                self._linger(servers)
        except DemoError as exc:
            say(f"error: {exc}")
            failed = True
        except Exception as exc:
            say(f"error: step {self.step}/{self.steps}: {_describe(exc)}")
            failed = True
        except KeyboardInterrupt:
            say("interrupted")
            failed = True
        finally:
            if servers is not None:
                say("Stopping servers (SIGTERM, graceful)...")
                failed |= servers.stop()
        if failed or not result:
            if servers is not None:
                say(f"Demo FAILED; server logs in {servers.logs}")
            else:
                say("Demo FAILED")
            return 1
        try:
            return self._finish(result)
        except Exception as exc:
            say(f"error: step {self.step}/{self.steps}: {_describe(exc)}")
            say("Demo FAILED")
            return 1

    # -- steps ---------------------------------------------------------------------------

    def _build(self) -> None:
        from merak.demo import riskworld

        s = self.sizes
        # The detection service's NIR classifier trains in its own process meanwhile.
        (self.out / "logs").mkdir(parents=True, exist_ok=True)
        nir_log = self.out / "logs" / "nir-train.log"
        with nir_log.open("wb") as log:
            nir = subprocess.Popen(
                [sys.executable, "-m", "merak", "detect", "train", "--out",
                 str(self.out / "detection"), "--seeds", "1,2", "--val-seed", "7",
                 "--scans", str(s.nir_scans), "--epochs", str(s.nir_epochs)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            self._step(
                f"Synthetic trade world: {s.declarations:,} declarations over {s.days} days; "
                "history before the cut -> pool, features, champion (CatBoost + network); "
                "the NIR classifier of the detection service trains meanwhile"
            )
            data = self.out / "data"
            self.world = _timed(
                "building the world",
                lambda: riskworld.build(data, declarations=s.declarations, seed=11, days=s.days),
            )
            w = self.world
            self.truth = _truth(w)
            frauds = sum(w.truth[d.header.declaration_id] for d in w.live)
            say(
                f"  cut at {w.cut.date()}: {len(w.live):,} later declarations held out for the "
                f"live stream ({frauds} with a planted irregularity, {frauds / len(w.live):.1%})"
            )
            self._step("Expert-rules baseline; the detection service's NIR classifier")
            from merak.demo._baselines import fit_rules

            self.rules = _timed("fitting the rules", lambda: fit_rules(data, w.cut))
            for name in self.rules.names:
                say(f"  rule: {name}")
            t = time.monotonic()
            code = nir.wait()
        finally:
            if nir.poll() is None:
                nir.kill()
                nir.wait()
        text = nir_log.read_text(encoding="utf-8", errors="replace")
        if code != 0:
            raise DemoError(f"training the NIR model: exit {code}; its log: {nir_log}")
        for line in text.splitlines():
            if line.startswith("validation:"):
                say(f"  NIR model {line}")
        say(f"  NIR model ready ({time.monotonic() - t:.1f} s more after the world)")

    def _linger(self, servers: Servers) -> None:
        say("Everything stays up (--keep): look around in the console; Ctrl-C stops the servers")
        say(f"  console: {servers.console_url}/   sign in with the token {self.tokens['desk']}")
        try:
            while all(proc.poll() is None for proc, _ in servers.procs.values()):
                time.sleep(0.5)
            say("a server exited; stopping the others")
        except KeyboardInterrupt:
            say("Ctrl-C: stopping")

    def _start_servers(self, servers: Servers) -> bool:
        self._step(f"Starting {len(SERVICE_NAMES)} servers and the console, each its own process")
        failed = servers.start_all(self.tokens["services"])
        if not failed:
            try:
                url = servers.start_console(self.tokens["console"], self.out / "data")
                say(f"  console    {url}/  (sign in with the token {self.tokens['desk']})")
            except RuntimeError as exc:
                say(f"  console    FAILED: {exc}")
                failed = True
        if "intake" in servers.infos:
            say("The API validates every field (an agency system's view):")
            _show_validation(servers.address("intake"), self.tokens["agency"])
        return failed

    def _scenario(self, servers: Servers) -> dict[str, Any]:
        from merak.demo import _risk
        from merak.demo._progress import Progress

        phase_a, phase_b = _risk.split_by_time(self.world.live, 0.5)
        models = _risk.Models(servers.address("models"), self.tokens["analyst"])
        try:
            champion = models.champion()
            result: dict[str, Any] = {"champion": champion, "phases": []}
            with Progress(self.stats) as progress:
                self._step(
                    f"Live traffic, first half of the held-out time ({len(phase_a):,} "
                    f"declarations at {self.sizes.rate:.0f}/s over streaming gRPC); the outcome "
                    "of every control fed back"
                )
                result["phases"].append(self._live(servers, progress, phase_a, "1/2"))
                challenger = self._learn(servers, progress, models, phase_a, phase_b, result)
                self._step(
                    f"Live traffic, second half ({len(phase_b):,} declarations): the champion "
                    f"decides, challenger {challenger} is scored in shadow"
                )
                result["phases"].append(self._live(servers, progress, phase_b, "2/2"))
            self._step("Champion vs challenger on the outcomes of the second half only")
            result["promotion"] = self._promote(models, champion, challenger, phase_b)
            result["promotion"]["retrain_seconds"] = result["retrain_seconds"]
        finally:
            models.close()
        return result

    def _live(self, servers: Servers, progress: Any, phase: list[Any], label: str) -> Any:
        from merak.demo import _risk

        stats = self.stats
        # The intake loads the champion and the entity profiles on its first declaration.
        unary, streamed = _risk.warm_up(
            servers.address("intake"), self.tokens["agency"], phase[:33]
        )
        progress.say(
            f"  warm-up (the intake loads the champion and compiles its kernels): first "
            f"declaration {unary * 1000:.0f} ms, next 32 streamed {streamed * 1000:.0f} ms"
        )
        stats.phase = f"live traffic ({label})"
        stats.target += len(phase)
        progress.active(True)
        r = _risk.run_phase(
            servers.address("intake"), servers.address("feedback"), self.tokens["agency"], phase,
            self.truth, self.sizes.rate, stats,
        )  # fmt: skip
        progress.active(False)
        self._phase_done(progress, r)
        return r

    def _learn(
        self,
        servers: Servers,
        progress: Any,
        models: Any,
        phase_a: list[Any],
        phase_b: list[Any],
        result: dict[str, Any],
    ) -> str:
        from merak.demo import _risk

        self._step(
            "Learning loop: a retrain job on the newest labels "
            + ("(on Ray)" if self.ray else "(in-process)")
            + " while a vessel unloads at the terminal"
        )
        waited = self._wait_for_pool(phase_a, result["phases"][0].outcomes)
        progress.say(
            f"  the pool has every first-half declaration and outcome ({waited:.1f} s for intake "
            "and feedback to write their buffered rows; the retrain job reads the pool)"
        )
        until = _risk.lodged(phase_a[-1]) + timedelta(seconds=1)
        retrain: dict[str, Any] = {}

        def do_retrain() -> None:
            def tick(s: float) -> None:
                if int(s) % 10 == 0:
                    progress.say(f"  retrain job running ({s:.0f} s)")

            try:
                retrain["version"], retrain["seconds"] = models.retrain(
                    until, RETRAIN_TIMEOUT_S, tick
                )
            except Exception as exc:
                retrain["error"] = f"{type(exc).__name__}: {exc}"

        job = _risk.thread(do_retrain, "demo-retrain")
        self.stats.phase = "terminal: unloading"
        progress.active(True)
        try:
            result["terminal"] = self._terminal(servers, phase_a, progress.say)
        finally:
            progress.active(False)
            job.join()
        if "error" in retrain:
            raise DemoError(f"retrain: {retrain['error']}")
        progress.say(
            f"  retrain job published challenger {retrain['version']} in "
            f"{retrain['seconds']:.0f} s (labels before {until:%Y-%m-%d %H:%M})"
        )
        result["retrain_seconds"] = retrain["seconds"]
        return str(retrain["version"])

    def _wait_for_pool(self, phase: list[Any], outcomes: int) -> float:
        """Seconds until the pool holds every declaration of ``phase`` and ``outcomes``
        inspection outcomes of the demo (intake and feedback buffer pool rows for up to
        a few seconds)."""
        from merak.pool import Pool

        pool = Pool(str(self.out / "data" / "pool"))
        wanted = {d.header.declaration_id for d in phase}
        t = time.monotonic()
        while True:
            have = set(pool.read("declarations", columns=["declaration_id"])[0].to_pylist())
            ids = pool.read("inspections", columns=["inspection_id"])[0].to_pylist()
            reported = sum(1 for i in ids if i.startswith("INSP-"))
            if wanted <= have and reported >= outcomes:
                return time.monotonic() - t
            if time.monotonic() - t > POOL_TIMEOUT_S:
                raise DemoError(
                    f"the pool did not catch up within {POOL_TIMEOUT_S:.0f} s: "
                    f"{len(wanted - have)} declarations and {outcomes - reported} outcomes missing"
                )
            time.sleep(0.25)

    def _promote(
        self, models: Any, champion: str, challenger: str, phase_b: list[Any]
    ) -> dict[str, Any]:
        from merak.demo import _risk

        start = _risk.lodged(phase_b[0])
        end = _risk.lodged(phase_b[-1]) + timedelta(days=2)
        champ_m, chall_m, labelled, better = models.compare_and_promote(
            champion, challenger, start, end
        )
        top = math.ceil(0.05 * labelled)
        say(
            f"  {labelled} labelled outcomes; precision@5% ranks the top {top} of them, so one "
            f"hit more or less moves it by {1 / max(top, 1):.3f}"
        )
        for k in ("precision@5%", "precision@10%", "revenue@5%"):
            say(
                f"  {k:<14} champion {champion} {champ_m[k]:.3f}   "
                f"challenger {challenger} {chall_m[k]:.3f}"
            )
        if better:
            reason = (
                f"challenger {challenger} beats {champion} on {labelled} outcomes of "
                f"{start:%Y-%m-%d}..{end:%Y-%m-%d} it never trained on: precision@5% "
                f"{champ_m['precision@5%']:.3f} -> {chall_m['precision@5%']:.3f}, revenue@5% "
                f"{champ_m['revenue@5%']:.3f} -> {chall_m['revenue@5%']:.3f}"
            )
            index = models.promote(challenger, reason)
            say(f"  PROMOTED {challenger} (ledger entry {index}): {reason}")
            say(f"  the champion is now {models.champion()} (ListModels)")
        else:
            reason = (
                f"challenger {challenger} NOT promoted: no measured uplift over {champion} on "
                f"{labelled} labelled outcomes (promotion needs precision@5% and revenue@5% at "
                f"least as good, one of them better, and >= {self.base.models.min_labelled} "
                "outcomes)"
            )
            say(f"  {reason}")
        return {
            "champion": champion,
            "challenger": challenger,
            "labelled": labelled,
            "champion_metrics": champ_m,
            "challenger_metrics": chall_m,
            "promoted": better,
            "reason": reason,
            "on_ray": self.ray,
        }

    def _phase_done(self, progress: Any, r: Any) -> None:
        from merak.demo._progress import plain_line

        progress.say(plain_line(self.stats))
        progress.say(
            f"  {len(r.assessments):,} assessed in {r.seconds:.1f} s "
            f"({len(r.assessments) / max(r.seconds, 1e-9):.0f}/s), {r.outcomes} outcomes fed "
            f"back, {len(r.errors)} errors"
        )
        if r.errors:
            raise DemoError(f"live traffic: {len(r.errors)} errors, first: {r.errors[0]}")

    def _terminal(self, servers: Servers, live: list[Any], say: Callable[[str], None]) -> Any:
        from merak.demo._terminal import run_terminal

        ore = [
            d.header.declaration_id
            for d in live
            if any(i.hs_code.startswith("2601") for i in d.items)
        ]
        result = run_terminal(
            servers.address("detection"),
            servers.infos["detection"]["endpoints"]["detection_frames"],
            self.tokens["terminal"],
            self.tokens["control"],
            ore,
            self.stats,
            self.sizes.terminal_speed,
            say,
        )
        result.fed_back = _fed_back(
            servers.address("feedback"), self.tokens["analyst"], result.lots
        )
        linked = sum(1 for lot in result.lots if lot.declaration_id)
        say(
            f"  verdicts fed back as inspection outcomes (FeedbackService): "
            f"{result.fed_back} of {linked} lots linked to a declaration"
        )
        return result

    def _finish(self, result: dict[str, Any]) -> int:
        from merak.demo import _baselines, _report, _risk

        w = self.world
        data = self.out / "data"
        self._step("Hit rate at an equal inspection rate on held-out time; HTML report")
        assessments: dict[str, Any] = {}
        latency: dict[str, float] = {}
        for phase in result["phases"]:
            assessments.update(phase.assessments)
            latency.update(phase.latency_ms)
        controlled = {
            i for i, a in assessments.items()
            if a.channel in _risk.CONTROLLED or a.randomly_selected
        }  # fmt: skip
        x = _baselines.logged_inputs(data, list(assessments))
        base = _baselines.compare(assessments, w.truth, x, self.rules, controlled)
        top = _baselines.top_features(
            [assessments[i] for i in controlled] or list(assessments.values())
        )
        ledger = self._verify_ledger()
        report = _report.Report(
            quick=self.quick,
            seconds=time.monotonic() - self.started,
            sizes=self.sizes.__dict__,
            world={
                "cut": str(w.cut.date()),
                "live": len(w.live),
                "declarations": w.world.config.declarations,
                "days": w.world.config.days,
            },
            channels=dict(self.stats.channels),
            latency_ms=list(latency.values()),
            outcomes=self.stats.outcomes,
            findings=self.stats.findings,
            baselines=base,
            top_features=top,
            promotion=result["promotion"],
            terminal=result["terminal"],
            ledger=ledger,
        )
        path = _report.write(report, self.out / "report.html")
        ok = _report.print_summary(report, say) and ledger["ok"]
        say(f"Report: {path}")
        say(f"Ledger verification ({ledger['entries']} entries exported to {ledger['export']}):")
        for line in ledger["lines"]:
            say(f"  {line}")
        if not ok:
            say("Demo FAILED: see above")
            return 1
        say(
            f"Demo finished in {time.monotonic() - self.started:.0f} s: every server was SERVING "
            f"and stopped cleanly; world, logs and report in {self.out}"
        )
        return 0

    def _verify_ledger(self) -> dict[str, Any]:
        export = self.out / "ledger-export"
        cfg = self.out / "merak.yaml"
        run = [sys.executable, "-m", "merak", "ledger"]
        exp = subprocess.run(
            [*run, "export", "-c", str(cfg), "--out", str(export)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = [ln for ln in (exp.stdout + exp.stderr).splitlines() if ln.strip()]
        if exp.returncode != 0:
            return {"ok": False, "lines": lines, "entries": 0, "export": str(export)}
        pub = self.out / "data" / "ledger" / "ledger.pub"
        ver = subprocess.run(
            [*run, "verify", "--export", str(export), "--public-key", str(pub)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines += [ln for ln in (ver.stdout + ver.stderr).splitlines() if ln.strip()]
        entries = 0
        for ln in lines:
            if ln.startswith("exported "):
                entries = int(ln.split()[1])
        return {
            "ok": ver.returncode == 0,
            "lines": lines,
            "entries": entries,
            "export": str(export),
        }


def _describe(exc: Exception) -> str:
    """An exception in one line; for a gRPC error its status code and details."""
    code, details = getattr(exc, "code", None), getattr(exc, "details", None)
    if callable(code) and callable(details):
        return f"gRPC {code().name}: {details()} (see the server logs)"
    return f"{type(exc).__name__}: {exc}"


def _truth(world: Any) -> dict[str, Any]:
    from merak.demo._risk import Truth

    t = world.world.truth
    ids = t.column("declaration_id").to_pylist()
    fraud = t.column("is_fraud").to_pylist()
    area = t.column("business_area").to_pylist()
    revenue = t.column("revenue_at_stake").to_pylist()
    return {
        i: Truth(bool(f), a or "", r) for i, f, a, r in zip(ids, fraud, area, revenue, strict=True)
    }
