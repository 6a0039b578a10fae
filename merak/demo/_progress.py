"""The live display: a rich panel on a terminal, plain progress lines otherwise."""

from __future__ import annotations

import math
import sys
import threading
import time
from types import TracebackType
from typing import Any

from merak.demo._stats import Stats, percentiles


def _fmt(x: float, spec: str = ".1f") -> str:
    return "-" if math.isnan(x) else format(x, spec)


def plain_line(stats: Stats) -> str:
    """One progress line (for logs and pipes)."""
    clock = f"  [{time.monotonic() - stats.started:6.1f}s] {stats.phase}: "
    if stats.phase.startswith("terminal"):
        if not stats.lots:
            return f"{clock}the HAL node connects"
        done = sum(1 for lot in stats.lots.values() if lot.verdict)
        now = [lot for lot in stats.lots.values() if lot.state in ("unloading", "closing")]
        current = f", {now[0].lot_id} {now[0].state} ({now[0].frames:,} frames)" if now else ""
        return f"{clock}{done}/{len(stats.lots)} lots judged{current}, alerts {stats.alert_count}"
    p50, p95, p99 = percentiles(stats.latencies_ms)
    return (
        f"{clock}"
        f"assessed {stats.assessed}/{stats.target}, {stats.throughput():.0f}/s, "
        f"latency p50 {_fmt(p50)} p95 {_fmt(p95)} p99 {_fmt(p99)} ms, "
        f"{stats.channel_mix()}, outcomes {stats.outcomes}, "
        f"hit rate {_fmt(stats.hit_rate(), '.3f')}"
    )


def _panel(stats: Stats) -> Any:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    p50, p95, p99 = percentiles(stats.latencies_ms)
    risk = Table.grid(padding=(0, 2))
    risk.add_column(style="bold")
    risk.add_column()
    done = stats.assessed / stats.target if stats.target else 0.0
    bar = "█" * int(30 * done) + "·" * (30 - int(30 * done))
    risk.add_row("phase", stats.phase)
    risk.add_row("declarations", f"{bar} {stats.assessed}/{stats.target}  errors {stats.errors}")
    risk.add_row("throughput", f"{stats.throughput():.0f} declarations/s")
    risk.add_row("latency", f"p50 {_fmt(p50)} ms  p95 {_fmt(p95)} ms  p99 {_fmt(p99)} ms")
    risk.add_row("channels", stats.channel_mix() + f"  (random {stats.random_selected})")
    risk.add_row(
        "inspections",
        f"{stats.outcomes} outcomes fed back, {stats.findings} findings, "
        f"hit rate {_fmt(stats.hit_rate(), '.3f')}",
    )
    risk.add_row("models", ", ".join(f"{v}: {n}" for v, n in sorted(stats.model_versions.items())))
    if not stats.phase.startswith("terminal"):
        return Panel(risk, title="Merak demo: risk path", border_style="cyan")
    from rich import box

    lots = Table(box=box.SIMPLE_HEAD, padding=(0, 1))
    for col in ("lot", "declaration", "material", "state", "frames", "verdict", "areas"):
        lots.add_column(col)
    for lot in stats.lots.values():
        lots.add_row(
            lot.lot_id, lot.declaration_id or "-", lot.commodity, lot.state, f"{lot.frames:,}",
            lot.verdict or "-", lot.areas or "-",
        )  # fmt: skip
    parts: list[Any] = [lots, f"[bold]alerts[/] {stats.alert_count}"]
    parts.extend(f"  {a}" for a in list(stats.alerts)[-3:])
    title = "Merak demo: terminal, MV DEMO unloading at belt 3 (retrain job running)"
    return Panel(Group(*parts), title=title, border_style="cyan")


class Progress:
    """Context manager: live panel on a TTY (rich), else a plain line every ``every_s``."""

    def __init__(self, stats: Stats, every_s: float = 3.0, tty: bool | None = None) -> None:
        self.stats = stats
        self.every_s = every_s
        self.tty = sys.stdout.isatty() if tty is None else tty
        self._live: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._active = False

    def say(self, text: str) -> None:
        """A line above the live display (or a plain line)."""
        if self._live is not None:
            self._live.console.print(text, highlight=False, markup=False)
        else:
            print(text, flush=True)

    def active(self, on: bool) -> None:
        """Show live progress (streaming phases) or keep quiet (between them)."""
        self._active = on

    def __enter__(self) -> Progress:
        if self.tty:
            from rich.live import Live

            self._live = Live(get_renderable=lambda: _panel(self.stats), refresh_per_second=4)
            self._live.__enter__()
        else:
            self._thread = threading.Thread(target=self._plain, name="demo-progress", daemon=True)
            self._thread.start()
        return self

    def _plain(self) -> None:
        while not self._stop.wait(self.every_s):
            if self._active:
                print(plain_line(self.stats), flush=True)

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._live is not None:
            self._live.__exit__(t, e, tb)
            self._live = None
