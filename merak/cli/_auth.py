"""``merak auth``: credentials for the config file."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("hash-token")
def hash_token_cmd(
    token: Annotated[
        str | None, typer.Argument(help="Token to hash; a new random one if omitted.")
    ] = None,
) -> None:
    """Print the SHA-256 to put in auth.tokens[].sha256 (and the token, when generated)."""
    from merak.cli import hash_token

    if token is None:
        token = secrets.token_urlsafe(32)
        typer.echo(f"token:  {token}")
    typer.echo(f"sha256: {hash_token(token)}")
