"""The end of the demo: a terminal summary and a self-contained HTML report (inline SVG)."""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from merak.demo._baselines import Baselines, TopFeature
from merak.demo._stats import CHANNELS, percentiles
from merak.demo._terminal import BELT, VESSEL, TerminalResult, areas, verdict_name

COLOURS = {"GREEN": "#2e7d32", "YELLOW": "#f9a825", "RED": "#c62828", "BLUE": "#1565c0"}


@dataclass
class Report:
    quick: bool
    seconds: float
    sizes: dict[str, Any]
    world: dict[str, Any]
    channels: dict[str, int]
    latency_ms: list[float]
    outcomes: int
    findings: int
    baselines: Baselines
    top_features: list[TopFeature]
    promotion: dict[str, Any]
    terminal: TerminalResult
    ledger: dict[str, Any]


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return text[text.index("<svg") :]


def _plots(r: Report) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, str] = {}
    b = r.baselines
    rates = [100 * h.rate for h in b.curve]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(rates, [h.model for h in b.curve], "o-", color="#c62828", label="model (served)")
    ax.plot(rates, [h.rules for h in b.curve], "s-", color="#6d4c41", label="expert rules alone")
    ax.plot(rates, [h.random for h in b.curve], "--", color="#757575", label="random (expected)")
    ax.fill_between(
        rates, [h.random_low for h in b.curve], [h.random_high for h in b.curve],
        color="#bdbdbd", alpha=0.4, label="random, 95 % of draws",
    )  # fmt: skip
    ax.axvline(100 * b.policy_rate, color="#1565c0", lw=1, ls=":", label="the policy's rate")
    ax.set_xlabel("inspection rate (% of declarations inspected)")
    ax.set_ylabel("hit rate (findings / inspections)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    out["hit"] = _svg(fig)

    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    lat = np.asarray(r.latency_ms)
    if len(lat):
        bins = np.logspace(np.log10(max(lat.min(), 0.1)), np.log10(lat.max() * 1.01), 40).tolist()
        ax.hist(lat, bins=bins, color="#455a64")
        ax.set_xscale("log")
        styles = ("--", "-.", ":")
        for q, p, ls in zip((50, 95, 99), percentiles(lat), styles, strict=True):
            ax.axvline(p, color="#c62828", lw=1.2, ls=ls, label=f"p{q} {p:.1f} ms")
        ax.legend(fontsize=8)
    ax.set_xlabel("latency from send to assessment over gRPC streaming (ms)")
    ax.set_ylabel("declarations")
    out["latency"] = _svg(fig)

    fig, ax = plt.subplots(figsize=(6.4, 1.1))
    total = sum(r.channels.values()) or 1
    left = 0.0
    for c in CHANNELS:
        share = 100 * r.channels.get(c, 0) / total
        ax.barh([0], [share], left=left, color=COLOURS[c], label=f"{c.lower()} {share:.1f} %")
        left += share
    ax.set_xlim(0, 100)
    ax.set_yticks([])
    ax.set_xlabel("% of declarations")
    ax.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.7))
    out["channels"] = _svg(fig)

    if r.top_features:
        fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(r.top_features) + 0.8))
        names = [f"{t.feature_id} {t.name}"[:60] for t in r.top_features][::-1]
        ax.barh(names, [t.count for t in r.top_features][::-1], color="#6a1b9a")
        ax.set_xlabel("controlled declarations where it is among the 3 strongest risk raisers")
        ax.tick_params(axis="y", labelsize=8)
        out["features"] = _svg(fig)
    return out


def _table(head: list[str], rows: list[list[Any]]) -> str:
    h = "".join(f"<th>{html.escape(str(c))}</th>" for c in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{h}</tr>{body}</table>"


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f} %"


def write(r: Report, path: Path) -> Path:
    """The HTML report: one file, plots inline, nothing fetched from the network."""
    plots = _plots(r)
    b, h = r.baselines, r.baselines.at_policy
    p = r.promotion
    p50, p95, p99 = percentiles(r.latency_ms)
    above = h.model > h.rules and h.model > h.random_high
    comparison = _table(
        ["selector", f"hit rate at {_pct(h.rate)} inspected ({h.k} of {b.n})", "vs random"],
        [
            ["model (scores served over gRPC)", _pct(h.model), f"{h.model / h.random:.1f}×"],
            ["expert rules alone (5 rules)", _pct(h.rules), f"{h.rules / h.random:.1f}×"],
            ["random selection (expected)", _pct(h.random) + f" (95 %: {_pct(h.random_low)}–"
             f"{_pct(h.random_high)})", "1.0×"],
            ["the policy as it ran (red + yellow, incl. random share)", _pct(b.policy_hit_rate),
             f"{b.policy_hit_rate / h.random:.1f}×"],
        ],
    )  # fmt: skip
    curve = _table(
        ["inspection rate", "inspected", "model", "expert rules", "random"],
        [[_pct(c.rate), c.k, _pct(c.model), _pct(c.rules), _pct(c.random)] for c in b.curve],
    )
    metric_keys = sorted(
        p["champion_metrics"], key=lambda k: (k.split("@")[0], float(k.split("@")[1].rstrip("%")))
    )
    promo = _table(
        ["metric", f"champion {p['champion']}", f"challenger {p['challenger']}"],
        [[k, f"{p['champion_metrics'][k]:.3f}", f"{p['challenger_metrics'][k]:.3f}"]
         for k in metric_keys],
    )  # fmt: skip
    lots = _table(
        ["lot", "declaration", "material", "what the scenario planted", "verdict", "areas",
         "contaminated fraction (95 % CI)", "findings", "frames"],
        [[lot.lot_id, lot.declaration_id or "-", lot.material, lot.story,
          verdict_name(lot.verdict) if lot.verdict else "-",
          areas(lot.verdict) if lot.verdict else "",
          _fraction(lot.verdict), _findings(lot.verdict), sum(lot.frames.values())]
         for lot in r.terminal.lots],
    )  # fmt: skip
    alerts = _table(
        ["severity", "lot", "sensor", "message"],
        [[_sev(a.severity), a.lot_id, a.sensor_id, a.message] for a in r.terminal.alerts],
    )
    rules = "".join(f"<li><code>{html.escape(n)}</code></li>" for n in b.rule_names)
    ledger = "<br>".join(html.escape(x) for x in r.ledger["lines"])
    verified = "verified" if r.ledger["ok"] else "NOT verified"
    control_hits = r.findings / r.outcomes if r.outcomes else float("nan")
    doc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Merak demo report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; margin: .5em 0 1.2em; font-size: 14px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: left; }}
th {{ background: #eceff1; }} h2 {{ border-bottom: 2px solid #37474f; padding-bottom: 2px; }}
.ok {{ color: #2e7d32; font-weight: bold; }} .bad {{ color: #c62828; font-weight: bold; }}
svg {{ max-width: 100%; height: auto; }}
</style></head><body>
<h1>Merak demo report</h1>
<p>{"Quick" if r.quick else "Full"} run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC,
{r.seconds:.0f} s.
Synthetic world of {r.world["declarations"]:,} declarations over {r.world["days"]} days; the
champion was trained on the time before {r.world["cut"]}; the {r.world["live"]:,} later
declarations (held-out time) were streamed over gRPC at {r.sizes["rate"]:.0f}/s.</p>

<h2>Hit rate at an equal inspection rate (held-out time)</h2>
<p>All {b.n:,} streamed declarations ({b.frauds} with a planted irregularity), ranked by the
risk score the intake returned, by the expert rules alone, or drawn at random; the same number
inspected as the policy controlled. Model above rules and random:
<span class="{"ok" if above else "bad"}">{"yes" if above else "NO"}</span>.</p>
{comparison}
{plots["hit"]}
{curve}
<p>Expert rules (fitted on the champion's training rows):</p><ul>{rules}</ul>

<h2>Latency and throughput</h2>
<p>p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms from sending a declaration on the
stream to receiving its assessment ({len(r.latency_ms):,} declarations).</p>
{plots["latency"]}

<h2>Channel mix</h2>
{plots["channels"]}
<p>{r.outcomes:,} inspection outcomes fed back through FeedbackService, {r.findings:,} with a
finding (hit rate of the controls {_pct(control_hits)}).</p>

<h2>Top risk features</h2>
{plots.get("features", "<p>none</p>")}

<h2>Learning loop: retrain, shadow comparison, promotion</h2>
<p>Retrain job {"on Ray" if p["on_ray"] else "in-process"}: {p["retrain_seconds"]:.0f} s. The
challenger was compared with the champion on the {p["labelled"]} outcomes of the second half,
which it never trained on.</p>
{promo}
<p class="{"ok" if p["promoted"] else "bad"}">{html.escape(p["reason"])}</p>
<p>Context: the champion was trained on the synthetic world's ground truth for every
declaration before the cut; the retrained challenger learns, as a real agency's would, from
inspection outcomes only (the history's and those fed back in the first half): fewer labels,
selected by earlier controls. The service promotes only on measured uplift.</p>

<h2>Terminal: {html.escape(VESSEL)} unloading at {BELT}, lots and verdicts</h2>
{lots}
<p>{len(r.terminal.alerts)} alerts on the control room's stream:</p>
{alerts}

<h2>Evidence ledger</h2>
<p class="{"ok" if r.ledger["ok"] else "bad"}">{verified}</p>
<p><code>{ledger}</code></p>
</body></html>
"""
    path.write_text(doc, encoding="utf-8")
    return path


def _sev(s: int) -> str:
    from merak.v1 import detection_pb2

    return str(detection_pb2.AlertSeverity.Name(s)).removeprefix("ALERT_SEVERITY_")


def _fraction(v: Any) -> str:
    if v is None or not (v.contaminated_fraction or v.contaminated_fraction_high):
        return "-"
    return (
        f"{100 * v.contaminated_fraction:.1f} % ({100 * v.contaminated_fraction_low:.1f}–"
        f"{100 * v.contaminated_fraction_high:.1f} %)"
    )


def _findings(v: Any) -> str:
    if v is None:
        return ""
    from merak.v1 import sensor_pb2

    return "; ".join(
        f"{sensor_pb2.SensorKind.Name(f.kind).removeprefix('SENSOR_KIND_').lower()}: {f.label}"
        f" ({f.confidence:.2f})"
        for f in v.findings
    )


def print_summary(r: Report, say: Callable[[str], None]) -> bool:
    """The terminal summary; True when the model beat both baselines at the policy's rate."""
    b, h = r.baselines, r.baselines.at_policy
    p50, p95, p99 = percentiles(r.latency_ms)
    total = sum(r.channels.values()) or 1
    say("Summary")
    say(f"  declarations assessed: {len(r.latency_ms):,}  (latency p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, p99 {p99:.1f} ms)")  # fmt: skip
    say("  channel mix: " + ", ".join(
        f"{c.lower()} {100 * r.channels.get(c, 0) / total:.1f} %" for c in CHANNELS))  # fmt: skip
    say(f"  outcomes reported: {r.outcomes:,} ({r.findings:,} findings)")
    say(f"  hit rate at an equal inspection rate of {_pct(h.rate)} ({h.k} of {b.n:,} "
        f"held-out declarations, {b.frauds} irregular):")  # fmt: skip
    say(f"    model {_pct(h.model)}   expert rules {_pct(h.rules)}   random {_pct(h.random)} "
        f"(95 % of draws {_pct(h.random_low)}–{_pct(h.random_high)})")  # fmt: skip
    above = h.model > h.rules and h.model > h.random_high
    say(f"    model above rules and random: {'yes' if above else 'NO'}")
    for c in b.curve:
        if c.rate in (0.05, 0.10):
            say(f"    at {_pct(c.rate)} inspected ({c.k}): model {_pct(c.model)}, expert rules "
                f"{_pct(c.rules)}, random {_pct(c.random)}")  # fmt: skip
    say("  top risk features: " + ", ".join(f"{t.feature_id} {t.name}" for t in r.top_features[:5]))
    p = r.promotion
    say(f"  promotion: {'PROMOTED' if p['promoted'] else 'not promoted'} — champion "
        f"{p['champion']} precision@5% {p['champion_metrics']['precision@5%']:.3f}, challenger "
        f"{p['challenger']} {p['challenger_metrics']['precision@5%']:.3f} on {p['labelled']} "
        "outcomes")  # fmt: skip
    say("  terminal verdicts:")
    for lot in r.terminal.lots:
        v = lot.verdict
        say(f"    {lot.lot_id:<14} {lot.material:<15} {verdict_name(v) if v else '-':<8} "
            f"{areas(v) if v else '':<34} ({lot.story})")  # fmt: skip
    say(f"  alerts raised: {len(r.terminal.alerts)}")
    linked = sum(1 for lot in r.terminal.lots if lot.declaration_id)
    say(f"  verdicts fed back as inspection outcomes: {r.terminal.fed_back} of {linked} lots "
        "linked to a declaration")  # fmt: skip
    return above
