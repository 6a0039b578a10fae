"""Generated messy CSV files: no import ends in a traceback, every row is accounted for.

Encodings, separators, thousands marks, odd decimals, blanks, stray quotes and text: each
file is imported through the CLI; the command exits 0, 1 or 2 with a message, the rows
read are the rows accepted plus the rows rejected, the pool holds exactly the accepted
rows, and every row of the reject file has a reason.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from merak.cli._pool import app
from merak.pool import Pool

SEPARATORS = [",", ";", "\t", "|"]
ENCODINGS = ["utf-8", "latin-1", "cp1252", "utf-16"]
DATE_FORMATS = {"%Y-%m-%d": "{y:04d}-{m:02d}-{d:02d}", "%d.%m.%Y": "{d:02d}.{m:02d}.{y:04d}"}


@st.composite
def amounts(draw: st.DrawFn, thousands: str, decimal: str) -> str:
    whole = draw(st.integers(0, 10**17))
    frac = draw(st.text("0123456789", max_size=14))
    text = f"{whole:,}".replace(",", thousands) if draw(st.booleans()) else str(whole)
    if frac or draw(st.booleans()):
        text += decimal + frac
    text = draw(st.sampled_from(["{}", " {} ", "-{}", "{} EUR", "$ {}", "{}e3", "{}."])).format(
        text
    )
    return text


@st.composite
def cells(draw: st.DrawFn, kind: str, thousands: str, decimal: str, fmt: str) -> str:
    junk = st.text(st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=12)
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["", " ", "NULL", "n/a", "-", '"'])) or draw(junk)
    if kind == "money":
        return draw(amounts(thousands, decimal))
    if kind == "date":
        y, m, d = draw(st.integers(1990, 2040)), draw(st.integers(0, 13)), draw(st.integers(0, 32))
        return DATE_FORMATS[fmt].format(y=y, m=m, d=d)
    if kind == "outcome":
        return draw(st.sampled_from(["compliant", "Non_Compliant", "COMPLIANT", "ok", "Früh"]))
    if kind == "country":
        return draw(st.sampled_from(["DE", "de", "Deutschland", "ZZ", "Österreich", "XX", ""]))
    return draw(junk | st.from_regex(r"[A-Z]{2}[0-9]{1,6}", fullmatch=True))


@st.composite
def messy_files(draw: st.DrawFn) -> tuple[bytes, str]:
    sep = draw(st.sampled_from(SEPARATORS))
    enc = draw(st.sampled_from(ENCODINGS))
    decimal = draw(st.sampled_from([".", ","]))
    thousands = draw(st.sampled_from([t for t in [",", ".", " ", "'", ""] if t != decimal]))
    fmt = draw(st.sampled_from(sorted(DATE_FORMATS)))
    kinds = ["id", "id", "date", "outcome", "money", "country"]
    n = draw(st.integers(1, 25))
    rows = [[draw(cells(k, thousands, decimal, fmt)) for k in kinds] for _ in range(n)]
    if draw(st.booleans()) and rows:
        rows[draw(st.integers(0, n - 1))].append("extra")  # a row with one field too many
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(["id", "decl", "when", "outcome", "money", "origin"])
    w.writerows(rows)
    body = buf.getvalue()
    try:
        data = body.encode(enc)
    except UnicodeEncodeError:
        data = body.encode("utf-8", errors="replace")
    # Now and then a file whose declared encoding is wrong.
    declared = draw(st.sampled_from([enc, enc, enc, "utf-8"]))
    esc = {"\t": "\\t"}.get(sep, sep)
    mapping = f"""
table: inspections
csv: {{delimiter: "{esc}", encoding: {declared}}}
code_maps:
  countries: {{Deutschland: DE, "*": ~}}
fields:
  inspection_id: id
  declaration_id: decl
  inspection_time: {{column: when, date_format: "{fmt}", add_days: 2}}
  result: outcome
  revenue_recovered: {{column: money, thousands: "{thousands}", decimal: "{decimal}", round: true}}
  finding: {{column: origin, code_map: countries}}
"""
    return data, mapping


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(messy_files())
def test_no_messy_file_ends_in_a_traceback_and_every_reject_has_a_reason(
    case: tuple[bytes, str],
) -> None:
    data, mapping = case
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "in.csv").write_bytes(data)
        (tmp / "map.yaml").write_text(mapping, encoding="utf-8")
        args = ["import", str(tmp / "in.csv"), "-c", "inspections", "-m", str(tmp / "map.yaml")]
        r = CliRunner().invoke(app, [*args, "--pool", str(tmp / "pool")])
        assert r.exception is None or isinstance(r.exception, SystemExit), r.output
        assert r.exit_code in (0, 1, 2), r.output
        if r.exit_code == 2:
            assert "error:" in r.stderr and "nothing was imported" in r.stderr
            assert not (tmp / "pool").exists()
            return
        head = r.stdout.strip().splitlines()[0]
        read, accepted, rejected = (int(x.split()[-1]) for x in head.split(":")[1].split(","))
        assert read == accepted + rejected
        pooled = Pool(tmp / "pool").read("inspections").num_rows if accepted else 0
        assert pooled == accepted
        rej = tmp / "in.csv.rejects.csv"
        if rejected:
            with open(rej, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            assert len(rows) == rejected
            assert all(row["_reason"].strip() for row in rows)
            assert r.exit_code == 1
        else:
            assert not rej.exists() and r.exit_code == 0
