"""Progress of long jobs: a rich bar with rate and ETA on a terminal, plain lines otherwise.

A job reports steps (``step(name, total)``) and advances them (``advance()``); whoever runs
it chooses the display. ``Progress.for_stderr()`` picks a rich bar when stderr is a
terminal and one plain line per few seconds when it is a pipe or a log file
(``MERAK_PROGRESS=plain`` forces lines, ``MERAK_PROGRESS=off`` silences both).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TextIO

Mapper = Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], list[Any]]

ENV_MODE = "MERAK_PROGRESS"
_PHASE = "phase"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):  # no rate yet
        return "?"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def plain_line(name: str, done: int, total: int | None, elapsed: float, unit: str) -> str:
    """One progress line: ``name: 5/12 months (42 %), 2.1 months/s, ETA 3 s``."""
    rate = done / elapsed if elapsed > 0 else 0.0
    if total is None:
        return f"{name}: {done:,} {unit}, {rate:,.1f} {unit}/s, {_duration(elapsed)} elapsed"
    share = 100.0 * done / total if total else 100.0
    eta = (total - done) / rate if rate > 0 else float("nan")
    if done >= total:
        took = _duration(elapsed)
        return f"{name}: {done:,}/{total:,} {unit} (100 %) in {took}, {rate:,.1f} {unit}/s"
    return (
        f"{name}: {done:,}/{total:,} {unit} ({share:.0f} %), {rate:,.1f} {unit}/s, "
        f"ETA {_duration(eta)}"
    )


class Progress:
    """Steps of one job, shown as they advance. Use as a context manager."""

    def __init__(
        self, mode: str = "plain", stream: TextIO | None = None, interval_s: float = 2.0
    ) -> None:
        if mode not in ("rich", "plain", "off"):
            raise ValueError(f"progress mode must be rich, plain or off, found {mode!r}")
        self.mode = mode
        self._stream = stream if stream is not None else sys.stderr
        self._interval = interval_s
        self._rich: Any = None
        self._task: Any = None
        self._name = ""
        self._unit = ""
        self._total: int | None = None
        self._done = 0
        self._started = 0.0
        self._last_line = 0.0

    @classmethod
    def for_stderr(cls) -> Progress:
        """Rich on a terminal, plain lines on a pipe; ``MERAK_PROGRESS`` overrides."""
        mode = os.environ.get(ENV_MODE, "").strip().lower()
        if mode not in ("rich", "plain", "off"):
            mode = "rich" if sys.stderr.isatty() else "plain"
        return cls(mode)

    def __enter__(self) -> Progress:
        if self.mode == "rich":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self._stream),
                transient=False,
            )
            self._rich.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._finish_step()
        if self._rich is not None:
            self._rich.__exit__(exc_type, exc, tb)
            self._rich = None

    def step(self, name: str, total: int | None = None, unit: str = "steps") -> None:
        """Begin a step of ``total`` units (None: unknown, shown as a count and a rate)."""
        self._finish_step()
        self._name, self._total, self._unit = name, total, unit
        self._done = 0
        self._started = self._last_line = time.monotonic()
        if self._rich is not None:
            self._task = self._rich.add_task(name, total=total, rate="")
        elif self.mode == "plain":
            size = f" ({total:,} {unit})" if total is not None and unit != _PHASE else ""
            self._write(f"{name}: started{size}")

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current step are done."""
        self._done += n
        now = time.monotonic()
        elapsed = now - self._started
        if self._rich is not None and self._task is not None:
            rate = self._done / elapsed if elapsed > 0 else 0.0
            self._rich.update(self._task, advance=n, rate=f"{rate:,.1f} {self._unit}/s")
        elif self.mode == "plain" and now - self._last_line >= self._interval:
            self._last_line = now
            self._write(plain_line(self._name, self._done, self._total, elapsed, self._unit))

    def _finish_step(self) -> None:
        if not self._name:
            return
        elapsed = time.monotonic() - self._started
        if self._rich is not None and self._task is not None:
            total = self._total if self._total is not None else self._done
            self._rich.update(self._task, completed=max(self._done, total), total=total)
        elif self.mode == "plain" and self._unit == _PHASE:
            self._write(f"{self._name}: done in {_duration(elapsed)}")
        elif self.mode == "plain":
            total = self._total if self._total is not None else self._done
            self._write(plain_line(self._name, max(self._done, total), total, elapsed, self._unit))
        self._name = ""
        self._task = None

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """A step of one unit (a phase whose inner progress is unknown): elapsed time shown."""
        self.step(name, 1, _PHASE)
        yield
        self.advance()

    def mapper(self, inner: Mapper, names: dict[str, tuple[str, str]] | None = None) -> Mapper:
        """Wrap a mapper that runs in this process: each call of it becomes a step.

        ``names`` maps the mapped function's ``__name__`` to (step name, unit).
        """

        def mapped(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
            name, unit = (names or {}).get(fn.__name__, (fn.__name__, "tasks"))
            self.step(name, len(args), unit)

            def counted(*a: Any) -> Any:
                out = fn(*a)
                self.advance()
                return out

            return inner(counted, args)

        return mapped
