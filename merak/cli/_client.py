"""What the desk commands (assessments, lots, alerts) share: a channel to a Merak server
with the caller's bearer token, and one-line errors instead of tracebacks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import grpc
import typer

T = TypeVar("T")

Address = Annotated[
    str,
    typer.Option("--address", "-a", envvar="MERAK_ADDRESS", help="host:port of the Merak server."),
]
CaFile = Annotated[
    Path | None,
    typer.Option("--ca-file", envvar="MERAK_CA_FILE", help="CA bundle: TLS to the server."),
]
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]
DEFAULT_ADDRESS = "127.0.0.1:50051"


def metadata() -> list[tuple[str, str]]:
    token = os.environ.get("MERAK_TOKEN", "")
    return [("authorization", f"Bearer {token}")] if token else []


@contextmanager
def channel(address: str, ca_file: Path | None) -> Iterator[grpc.Channel]:
    if ca_file is not None:
        try:
            creds = grpc.ssl_channel_credentials(ca_file.read_bytes())
        except OSError as exc:
            typer.echo(f"error: cannot read --ca-file {ca_file}: {exc.strerror}", err=True)
            raise typer.Exit(2) from exc
        ch = grpc.secure_channel(address, creds)
    else:
        ch = grpc.insecure_channel(address)
    try:
        yield ch
    finally:
        ch.close()


def call(fn: Callable[..., T], request: Any, timeout: float = 15.0) -> T:
    """One RPC; a failure is one line on stderr and exit 1 (3 when the server is away)."""
    try:
        return fn(request, metadata=metadata(), timeout=timeout)
    except grpc.RpcError as err:
        fail(err)
        raise AssertionError("unreachable") from err


def fail(err: grpc.RpcError) -> None:
    code = err.code()
    hint = ""
    if code == grpc.StatusCode.UNAUTHENTICATED:
        hint = " (set MERAK_TOKEN to your bearer token)"
    typer.echo(f"error: {code.name}: {err.details()}{hint}", err=True)
    raise typer.Exit(3 if code in (grpc.StatusCode.UNAVAILABLE,) else 1)
