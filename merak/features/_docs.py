"""Render the catalogue as Markdown: ``docs/features.md`` is this text (``merak features docs``)."""

from __future__ import annotations

from merak.core.areas import Stage
from merak.core.config import FeatureConfig
from merak.features._catalogue import CATALOGUE, CATALOGUE_VERSION, catalogue_version
from merak.features._spec import AREAS, STAGE_COUNTS, STAGES

_STAGE_TITLES = {
    Stage.PRE_ARRIVAL: "Pre-arrival document review",
    Stage.PORT: "At the port",
    Stage.POST_CLEARANCE: "Post-clearance audit",
}

_DESIGN = """\
## How the values are computed

Every feature is computed **the same way offline and online**:

1. **Frames.** A declaration's header and goods lines become numpy columns. Money is held in
   integer cents, masses in integer grams, quantities in integer thousandths, times in integer
   milliseconds (UTC); absent numbers are a sentinel, absent text the empty string. The offline
   builder reads pool Parquet; the online builder reads one declaration; both give the same
   integers.
2. **Input arrays.** One float64 array per input name, built from the frames, from
   point-in-time reference lookups (tariff, reference prices, intelligence, registers),
   from the declaration's transport documents (manifest lines, logistics events) and from the
   entity profiles. Per-line quantities are aggregated per declaration by sums of
   integer-valued numbers and by max / min only, so their order never matters.
3. **The kernel** (`merak.features.compute`) maps the input arrays to an `(n, 132)` matrix. It is
   the same function for one declaration online and for a month of them offline, so offline /
   online parity reduces to identical inputs — a test checks it bit for bit over thousands of
   declarations.

**Missing is a value.** A missing optional field, an unknown HS code or an unknown country
never raises: counts and flags are 0, ratios and ages are NaN (the models treat NaN as its own
value), and dedicated features say what was missing (`hs_code_unknown_lines`, `origin_unknown`,
`mass_missing_lines`, ...).

**A category the pool lacks is missing, not zero.** A feature that reads a pool table with no
rows at all (an agency export of declarations and outcomes has no tariff, manifests,
logistics or intelligence) is NaN on every row, online and offline alike: with an empty tariff
`hs_code_unknown_lines` would otherwise be 1 on every line, and without preferential rates in
the tariff every preference claim would count as not eligible. `merak features report` lists,
per feature, its coverage and variance on a pool and which category it lacks.

### Point in time

A declaration lodged at time *t* sees only what existed before *t*:

| source | rule |
|---|---|
| tariff measures | `valid_from <= t < valid_to` |
| reference prices | the latest `period` before the month of *t* (a complete month only) |
| intelligence | issued before *t*, and not expired at *t* (seizures count once issued) |
| enterprise / declarant registers | the latest snapshot with `as_of <= t` |
| manifests | departure (or arrival) at or before *t*; arrival within 2 months of *t*'s month |
| logistics events | before *t* and no earlier than 3 months before *t*'s month |
| entity profiles | events strictly before it in the order (time, declarations first, id) |

### Entity profiles

Profiles of the importer, declarant, exporter, importer-exporter pair, importer x HS heading of
the main line and importer x origin hold integer aggregates only: counts, sums of USD cents,
first / last lodgement (ms), sums of the quantised log value and of its square, small,
weekend and night lodgements, inspections, findings, revenue recovered (USD cents), seizures.
Events are declarations (at lodgement) and inspections (at completion, attributed to the
inspected declaration's entities, when completed within 180 days of lodgement). Integers merge
to the same result in any order, which is what makes the parallel job exact.

### Offline on Ray

`merak features build --pool DIR --out DIR [--ray-address ADDR] [--workers N]`:

1. **Pass 1** (one Ray task per month, in parallel): each month's declarations give per-entity
   partial aggregates, and the entity keys of declarations that inspections refer to.
2. **Driver**: inspections are attributed to those keys; an exclusive prefix merge of the
   partials gives every month its starting state.
3. **Pass 2** (one Ray task per month, in parallel): within-month exclusive cumulative profiles
   from the starting state, inputs, kernel, and one Parquet part
   `matrix/month=YYYY-MM/part-0.parquet` (`declaration_id`, `lodgement_time`, one float64
   column per feature id).
4. The final profile snapshot (`profiles/`) is what the online path starts from.

Ray with 1 or 2 workers and the in-process run (`--no-ray`) give the identical matrix (tested).

### Online

`OnlineFeatures(snapshot, reference, documents)`: `compute(declaration)` gives the 132 values,
`assess(declaration)` computes then adds the declaration to the profiles, and
`observe_inspection(row)` adds an outcome as it comes back. Profiles live in dicts of integer
vectors; the inputs and the kernel run on arrays of length one.

`assess_many(declarations)` does the same for a batch in one vectorised pass: each row gets
the profiles as the rows before it (in the batch too) left them. That running profile is one
compiled Numba kernel per entity kind (`merak/features/_kernels.py`) over a columnar block —
one profile row per distinct entity of the batch, its rows' group indices and their
contributions — rather than numpy operations per row and kind; the arithmetic is integer
sums, a min and a max, so the result is bit-identical to adding the events one by one (a unit
test checks the kernel against that rule, and the batch and parity tests are unchanged).
Measured per declaration in batches: `bench/RESULTS.md` ("Online features, issue 19").

### The catalogue version

The scorer stores `catalogue_version()`: SHA-256 over each spec's id, name, stage, areas,
inputs, formula text and formula version, plus the parameters (exchange rates, hubs, local
time offset, thresholds, windows). Changing a formula means bumping its version.

### What the pool cannot feed yet

Some kinds of feature the seed's experts use need data the pool's nine categories do not
hold yet: an importer's **amendment rate** (no amendment records), **payment** patterns
(no payment or remittance records) and **re-export** of earlier imports (the pool holds
declarations of every type, but no link between an export and the import it re-exports).
Related-party trade is approximated by shared distinctive words in the importer's and the
exporter's names; exchange rates are parameters (the pool has no rates table). Each can
replace a feature of its stage once the data is there.

### Adding a feature

Add one entry to the stage's module (`merak/features/_cat_*.py`) — id, name, areas,
description, inputs as pool `table.field`, and a computation from `_formulas.py` (or a small
function over the input arrays) — add the input to `_inputs.py` if it is new, copy the
feature test template in `tests/unit/features/test_feature_values.py`, and regenerate this
page with `merak features docs --out docs/features.md`. The counts per stage are fixed
(10 / 95 / 27): a new feature replaces one, or the counts change with the seed's model.
"""


def render_markdown(config: FeatureConfig | None = None) -> str:
    """The Markdown page of the catalogue."""
    out = [
        "# The 132 risk features",
        "",
        "<!-- Generated by `merak features docs --out docs/features.md`; do not edit. -->",
        "",
        "Expert knowledge as a catalogue risk analysts can read: "
        + ", ".join(f"{STAGE_COUNTS[s]} {_STAGE_TITLES[s].lower()}" for s in STAGES)
        + f" features over the {len(AREAS)} business areas.",
        "",
        f"Catalogue format version {CATALOGUE_VERSION}; catalogue hash with the default "
        f"parameters: `{catalogue_version(config)}`.",
        "",
        "## Coverage by business area",
        "",
        "| business area | " + " | ".join(_STAGE_TITLES[s] for s in STAGES) + " | total |",
        "|---|" + "---|" * (len(STAGES) + 1),
    ]
    for a in AREAS:
        counts = [sum(1 for f in CATALOGUE if f.stage == s and a in f.areas) for s in STAGES]
        out.append(f"| {a} | " + " | ".join(str(c) for c in counts) + f" | {sum(counts)} |")
    out.append("")
    out.append(_DESIGN)
    for s in STAGES:
        specs = [f for f in CATALOGUE if f.stage == s]
        out += [
            f"## {_STAGE_TITLES[s]} ({len(specs)})",
            "",
            "| id | name | areas | description | computation | inputs |",
            "|---|---|---|---|---|---|",
        ]
        for f in specs:
            cells = (
                f.id,
                f"`{f.name}`",
                ", ".join(f.areas),
                f.description,
                f"`{f.compute.formula}` (v{f.compute.version})",
                ", ".join(f"`{i}`" for i in f.inputs),
            )
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
