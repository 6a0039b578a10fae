"""``merak ledger``: signing keys, exports for auditors, and the offline verifier."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command("keygen")
def keygen(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Private key file (PEM); the public key goes to OUT.pub."),
    ],
) -> None:
    """Create an Ed25519 signing key for the ledger (private key readable by the owner only)."""
    from merak.ledger import generate_key, key_id

    public_path = out.with_name(out.name + ".pub")
    try:
        public = generate_key(out, public_path)
    except FileExistsError:
        raise _fail(f"error: {out} exists; refusing to overwrite a signing key", 2) from None
    typer.echo(f"private key: {out}")
    typer.echo(f"public key:  {public_path}")
    typer.echo(f"key id:      {key_id(public).hex()}")


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write (must be empty).")],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML config file.", dir_okay=False)
    ] = None,
    size: Annotated[
        int | None, typer.Option(help="Export up to this signed tree size (default: the latest).")
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="Also write the C2SP signed-note checkpoint with it."),
    ] = None,
) -> None:
    """Write the log, its signed heads and its cited blobs to a directory an auditor can verify."""
    from merak.core.config import load_config
    from merak.core.errors import MerakError
    from merak.ledger import (
        FileBlobStore,
        export_ledger,
        open_store,
    )

    try:
        cfg = load_config(config)
        lcfg = cfg.ledger
        data_dir = Path(cfg.data_dir)
        store = open_store(lcfg, data_dir)
    except MerakError as exc:
        raise _fail(f"error: {exc}", 2) from exc
    try:
        blobs = FileBlobStore(Path(lcfg.blob_dir or data_dir / "blobs"))
        pem = public_key.read_bytes() if public_key else None
        summary = export_ledger(store, blobs, out, pem, size)
    except (MerakError, OSError) as exc:
        raise _fail(f"error: {exc}") from exc
    finally:
        store.close()
    typer.echo(
        f"exported {summary.tree_size} entries, {summary.heads} signed heads, "
        f"{summary.blobs} blobs to {out}"
    )
    if summary.missing_blobs:
        typer.echo(
            f"warning: {len(summary.missing_blobs)} cited blobs are missing from the blob store "
            f"(first: {summary.missing_blobs[0]}); the verifier will name them",
            err=True,
        )


@app.command("verify")
def verify(
    export_dir: Annotated[
        Path, typer.Option("--export", help="Export directory (merak ledger export).")
    ],
    public_key: Annotated[
        Path,
        typer.Option("--public-key", help="The log's Ed25519 public key (PEM or raw 32 bytes)."),
    ],
) -> None:
    """Check an export offline: every leaf, every root, every head's signature, consistency
    between successive heads, every cited blob. Names the first thing wrong; exit 1 if any."""
    from merak.ledger import LedgerError, load_public_key, verify_export

    if not export_dir.is_dir():
        raise _fail(f"error: --export {export_dir}: no such directory", 2)
    try:
        key = load_public_key(public_key)
    except (OSError, LedgerError) as exc:
        raise _fail(f"error: --public-key {public_key}: {exc}", 2) from exc
    try:
        report = verify_export(export_dir, key)
    except LedgerError as exc:
        raise _fail(f"FAILED: {exc}") from exc
    typer.echo(
        f"OK: {report.tree_size} entries, {report.heads} signed tree heads, "
        f"{report.blobs} blob references verified; origin {report.origin}; "
        f"root {report.root_hash.hex()} at size {report.tree_size}"
    )
