"""Small server-side SVG charts for the lot page (no script, no external library: the
console's CSP allows neither inline script nor inline style)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from merak.v1 import detection_pb2

W, H, PAD = 560, 160, 28
Scale = tuple[float, float]


def _scale(lo: float, hi: float, size: float, flip: bool) -> Scale:
    span = (hi - lo) or 1.0
    k = (size - 2 * PAD) / span
    return (-k, size - PAD + lo * k) if flip else (k, PAD - lo * k)


def _poly(xs: Sequence[float], ys: Sequence[float], sx: Scale, sy: Scale) -> str:
    pairs = zip(xs, ys, strict=True)
    return " ".join(f"{sx[0] * x + sx[1]:.1f},{sy[0] * y + sy[1]:.1f}" for x, y in pairs)


def _hline(cls: str, y: float) -> str:
    return f'<line class="{cls}" x1="{PAD}" y1="{y:.1f}" x2="{W - PAD}" y2="{y:.1f}"/>'


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}">{text}</text>'


def radiation_svg(trace: detection_pb2.RadiationTrace) -> str:
    """A pass's gross counts per sample, with the shadowed background and the alarm level."""
    n = len(trace.gross)
    if n == 0:
        return ""
    t = [i * trace.sample_period_s for i in range(n)]
    top = max([*trace.gross, trace.alarm_level, trace.expected]) * 1.05
    bottom = min([*trace.gross, trace.expected]) * 0.9
    sx = _scale(0.0, t[-1] or 1.0, W, flip=False)
    sy = _scale(bottom, top, H, flip=True)
    cls = {"point_source": "alarm", "norm": "norm"}.get(trace.label, "clear")
    title = (
        f"{escape(trace.sensor_id)} · seq {trace.first_sequence}–{trace.last_sequence} · "
        f"{escape(trace.label)} (peak {trace.peak_sigma:.1f} σ, alarm at "
        f"{trace.threshold_sigma:.1f} σ)"
    )
    return (
        f'<svg class="chart {cls}" viewBox="0 0 {W} {H}" role="img" aria-label="counts">'
        + _hline("axis", H - PAD)
        + _hline("expected", sy[0] * trace.expected + sy[1])
        + _hline("threshold", sy[0] * trace.alarm_level + sy[1])
        + f'<polyline class="series" points="{_poly(t, list(trace.gross), sx, sy)}"/>'
        + _text(PAD, 14, title)
        + _text(W - PAD, H - 8, f"{t[-1]:.1f} s", "end")
        + _text(PAD, H - 8, f"counts/sample, {bottom:.0f}–{top:.0f}")
        + "</svg>"
    )


def nir_svg(points: Sequence[detection_pb2.NirTracePoint]) -> str:
    """The estimated contaminated fraction after each batch of scans, with its 95 % interval."""
    if not points:
        return ""
    xs = [float(p.scans) for p in points]
    top = max(max(p.fraction_high for p in points) * 1.1, 0.005)
    sx = _scale(0.0, max(xs) or 1.0, W, flip=False)
    sy = _scale(0.0, top, H, flip=True)
    upper = _poly(xs, [p.fraction_high for p in points], sx, sy)
    lower = _poly(xs[::-1], [p.fraction_low for p in points][::-1], sx, sy)
    last = points[-1]
    title = (
        f"contaminated fraction {last.fraction:.2%} (95 % interval "
        f"{last.fraction_low:.2%}–{last.fraction_high:.2%}) after {last.scans} scans"
    )
    return (
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="NIR fraction">'
        + _hline("axis", H - PAD)
        + f'<polygon class="band" points="{upper} {lower}"/>'
        + f'<polyline class="series" points="{_poly(xs, [p.fraction for p in points], sx, sy)}"/>'
        + _text(PAD, 14, title)
        + _text(W - PAD, H - 8, f"{last.scans} scans", "end")
        + _text(PAD, H - 8, f"0–{top:.1%}")
        + "</svg>"
    )


def camera_svg(frame: detection_pb2.CameraTrace) -> str:
    """A frame's thumbnail with its detected boxes."""
    data = base64.b64encode(frame.thumbnail_png).decode("ascii")
    boxes = "".join(
        f'<rect class="box" x="{b.x0}" y="{b.y0}" width="{b.x1 - b.x0}" '
        f'height="{b.y1 - b.y0}"/><text class="boxlabel" x="{b.x0}" '
        f'y="{max(10, b.y0 - 2)}">{escape(b.label)} {b.confidence:.2f}</text>'
        for b in frame.boxes
    )
    w, h = frame.width, frame.height
    return (
        f'<svg class="frame" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label="camera frame {frame.sequence}">'
        f'<image href="data:image/png;base64,{data}" width="{w}" height="{h}"/>'
        f"{boxes}</svg>"
    )
