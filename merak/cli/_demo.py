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

import hashlib
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml

from merak.core.config import SERVICE_NAMES, MerakConfig, load_config
from merak.core.errors import ConfigError

READY_TIMEOUT_S = 90.0
POOL_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
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


def _say(text: str) -> None:
    print(text, flush=True)


class DemoError(Exception):
    """A step of the demo failed; the message says which and why."""


def _wait_port_file(path: Path, proc: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
    while time.monotonic() < deadline:
        if path.exists():
            info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return info
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before it was ready")
        time.sleep(0.05)
    raise TimeoutError(f"server not ready within {READY_TIMEOUT_S:.0f} s")


def _health(address: str, timeout: float) -> str:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout)
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=timeout
        )
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


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
            _say(f"  SubmitDeclaration(empty declaration) -> {err.code().name}")
            status = rpc_status.from_call(err)
            for detail in status.details if status else []:
                bad = error_details_pb2.BadRequest()
                if detail.Unpack(bad):
                    for fv in bad.field_violations:
                        _say(f"    {fv.field}: {fv.description}")
            return
    _say("  SubmitDeclaration(empty declaration) -> OK (unexpected)")


class Servers:
    """The five server processes of one demo run, with their logs under ``logs``."""

    def __init__(self, config: Path, work: Path, metrics_host: str) -> None:
        self.config = config
        self.work = work
        self.metrics_host = metrics_host
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ)
        self.procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
        self.infos: dict[str, dict[str, Any]] = {}
        self._starts: dict[str, int] = {}

    def start(self, name: str) -> None:
        n = self._starts[name] = self._starts.get(name, 0) + 1
        port_file = self.work / f"{name}.{n}.json"
        log = (self.logs / f"{name}.log").open("ab")
        cmd = [sys.executable, "-m", "merak", "serve", name, "-c", str(self.config)]
        proc = subprocess.Popen(
            [*cmd, "--port-file", str(port_file)], env=dict(self.env), stdout=log, stderr=log
        )
        log.close()
        self.procs[name] = (proc, port_file)

    def ready(self, name: str, deadline: float) -> dict[str, Any]:
        proc, port_file = self.procs[name]
        try:
            info = _wait_port_file(port_file, proc, deadline)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}; its log: {self.logs / (name + '.log')}") from exc
        self.infos[name] = info
        return info

    def address(self, name: str) -> str:
        return str(self.infos[name]["address"])

    def stop(self) -> bool:
        """SIGTERM the servers, wait for each; True when any did not stop cleanly.

        In the reverse order of their dependencies: the services that append to the
        ledger or report to feedback first, then feedback, then the ledger, so that what
        they flush on a graceful stop still has somewhere to go."""
        failed = False
        last = ("feedback", "ledger")
        waves = [[n for n in self.procs if n not in last], *([n] for n in last)]
        for wave in waves:
            chosen = {n: self.procs[n] for n in wave if n in self.procs}
            for proc, _ in chosen.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for name, (proc, _) in chosen.items():
                try:
                    code = proc.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    _say(f"  {name}: did not stop within {STOP_TIMEOUT_S:.0f} s, killed")
                    failed = True
                    continue
                _say(f"  {name}: stopped (exit {code})")
                failed |= code != 0
        return failed


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
    _say(f"  done in {time.monotonic() - t:.1f} s")
    return out


def _demo_config(base: MerakConfig, out: Path, tokens: dict[str, str], ray: bool) -> Path:
    def ident(name: str, *roles: str) -> dict[str, Any]:
        digest = hashlib.sha256(tokens[name].encode()).hexdigest()
        return {"identity": f"demo-{name}", "sha256": digest, "roles": list(roles)}

    cfg = {
        "server": {"host": base.server.host, "port": 0},
        "metrics": {"host": base.metrics.host, "port": 0},
        "log": {"level": "WARNING", "format": "json"},
        "data_dir": str(out / "data"),
        "auth": {
            "tokens": [
                ident("agency", "agency"),
                ident("analyst", "analyst"),
                ident("terminal", "terminal"),
                ident("control", "control_room"),
                # Merak's own services: evidence to the ledger, verdicts to feedback.
                ident("services", "ledger_writer", "outcome_reporter"),
            ]
        },
        # The demo compares and promotes explicitly, on outcomes the challenger never saw.
        "models": {
            "auto_promote": False,
            "retrain_on_ray": ray,
            "ray_address": base.models.ray_address,
        },
        "detection": {
            "bind": "tcp://127.0.0.1:*",  # the port it got is in its port file
            "model_dir": str(out / "detection"),
        },
    }
    path = out / "merak.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def run_demo(
    config_file: Path | None,
    quick: bool = False,
    out: Path | None = None,
    rate: float | None = None,
    ray: bool = False,
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
    return _Run(base, sizes, out, quick, ray or bool(base.models.ray_address)).run()


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
            for n in ("agency", "analyst", "terminal", "control", "services")
        }
        self.started = time.monotonic()
        self.steps = 9
        self.step = 0

    def _step(self, title: str) -> None:
        self.step += 1
        elapsed = time.monotonic() - self.started
        _say(f"[{self.step}/{self.steps}] {title}  (t = {elapsed:.0f} s)")

    def run(self) -> int:
        from merak.demo._stats import Stats

        mode = "quick" if self.quick else "full"
        _say(f"Merak demo ({mode} run; world, logs and report in {self.out})")
        self.stats = Stats()
        servers: Servers | None = None
        failed = False
        result: dict[str, Any] = {}
        try:
            self._build()
            cfg_path = _demo_config(self.base, self.out, self.tokens, self.ray)
            servers = Servers(cfg_path, self.out, self.base.metrics.host)
            failed |= self._start_servers(servers)
            if not failed:
                result = self._scenario(servers)
        except DemoError as exc:
            _say(f"error: {exc}")
            failed = True
        except Exception as exc:
            _say(f"error: step {self.step}/{self.steps}: {_describe(exc)}")
            failed = True
        except KeyboardInterrupt:
            _say("interrupted")
            failed = True
        finally:
            if servers is not None:
                _say("Stopping servers (SIGTERM, graceful)...")
                failed |= servers.stop()
        if failed or not result:
            if servers is not None:
                _say(f"Demo FAILED; server logs in {servers.logs}")
            else:
                _say("Demo FAILED")
            return 1
        try:
            return self._finish(result)
        except Exception as exc:
            _say(f"error: step {self.step}/{self.steps}: {_describe(exc)}")
            _say("Demo FAILED")
            return 1

    # -- steps ---------------------------------------------------------------------------

    def _build(self) -> None:
        from merak.cli import _scenario as riskworld

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
            _say(
                f"  cut at {w.cut.date()}: {len(w.live):,} later declarations held out for the "
                f"live stream ({frauds} with a planted irregularity, {frauds / len(w.live):.1%})"
            )
            self._step("Expert-rules baseline; the detection service's NIR classifier")
            from merak.demo._baselines import fit_rules

            self.rules = _timed("fitting the rules", lambda: fit_rules(data, w.cut))
            for name in self.rules.names:
                _say(f"  rule: {name}")
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
                _say(f"  NIR model {line}")
        _say(f"  NIR model ready ({time.monotonic() - t:.1f} s more after the world)")

    def _start_servers(self, servers: Servers) -> bool:
        self._step(f"Starting {len(SERVICE_NAMES)} servers, each its own process")
        failed = False
        # The ledger's process owns the log; the others append to it over gRPC. The
        # detection service reports verdicts on linked lots to the feedback service.
        order = [
            "ledger",
            "feedback",
            *(n for n in SERVICE_NAMES if n not in ("ledger", "feedback")),
        ]
        for name in order:
            servers.start(name)
            if name in ("ledger", "feedback"):
                try:
                    info = servers.ready(name, time.monotonic() + READY_TIMEOUT_S)
                except RuntimeError as exc:
                    _say(f"  {name:<10} {'-':<22} {'FAILED':<12} {exc}")
                    return True
            if name == "ledger":
                servers.env["MERAK__EVIDENCE__LEDGER_ADDRESS"] = info["address"]
                servers.env["MERAK_LEDGER_TOKEN"] = self.tokens["services"]
            if name == "feedback":
                servers.env["MERAK__DETECTION__FEEDBACK_ADDRESS"] = info["address"]
                servers.env["MERAK_FEEDBACK_TOKEN"] = self.tokens["services"]
        deadline = time.monotonic() + READY_TIMEOUT_S
        _say(f"  {'service':<10} {'address':<22} {'health':<12} metrics")
        for name in servers.procs:
            try:
                info = servers.ready(name, deadline)
                status = _health(info["address"], max(1.0, deadline - time.monotonic()))
            except Exception as exc:
                _say(f"  {name:<10} {'-':<22} {'FAILED':<12} {exc}")
                failed = True
                continue
            metrics = f"http://{servers.metrics_host}:{info['metrics_port']}/metrics"
            _say(f"  {name:<10} {info['address']:<22} {status:<12} {metrics}")
            failed |= status != "SERVING"
        if "intake" in servers.infos:
            _say("The API validates every field (an agency system's view):")
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
        _say(
            f"  {labelled} labelled outcomes; precision@5% ranks the top {top} of them, so one "
            f"hit more or less moves it by {1 / max(top, 1):.3f}"
        )
        for k in ("precision@5%", "precision@10%", "revenue@5%"):
            _say(
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
            _say(f"  PROMOTED {challenger} (ledger entry {index}): {reason}")
            _say(f"  the champion is now {models.champion()} (ListModels)")
        else:
            reason = (
                f"challenger {challenger} NOT promoted: no measured uplift over {champion} on "
                f"{labelled} labelled outcomes (promotion needs precision@5% and revenue@5% at "
                f"least as good, one of them better, and >= {self.base.models.min_labelled} "
                "outcomes)"
            )
            _say(f"  {reason}")
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
        ok = _report.print_summary(report, _say) and ledger["ok"]
        _say(f"Report: {path}")
        _say(f"Ledger verification ({ledger['entries']} entries exported to {ledger['export']}):")
        for line in ledger["lines"]:
            _say(f"  {line}")
        if not ok:
            _say("Demo FAILED: see above")
            return 1
        _say(
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
