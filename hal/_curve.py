"""CURVE keys from files (zmq.auth certificates) for HAL nodes and receivers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.auth

from merak.hal._errors import HalError


class CurveKeyError(HalError):
    """A CURVE key file is missing or is not a zmq.auth certificate of the expected kind."""


def _load(path: str | Path, need_secret: bool) -> tuple[bytes, bytes | None]:
    p = Path(path)
    if not p.is_file():
        raise CurveKeyError(f"CURVE key file {p} does not exist")
    try:
        public, secret = zmq.auth.load_certificate(p)
    except (ValueError, OSError) as exc:
        raise CurveKeyError(f"{p}: expected a zmq.auth certificate: {exc}") from exc
    if need_secret and not secret:
        raise CurveKeyError(f"{p}: expected a secret certificate (.key_secret), found a public one")
    return public, secret


@dataclass(frozen=True)
class CurveClient:
    """The connecting side (a HAL node): its own key pair and the receiver's public key."""

    secret_key_file: str
    server_public_key_file: str

    def apply(self, sock: zmq.Socket[bytes]) -> None:
        public, secret = _load(self.secret_key_file, need_secret=True)
        server_public, _ = _load(self.server_public_key_file, need_secret=False)
        sock.curve_publickey = public
        sock.curve_secretkey = secret
        sock.curve_serverkey = server_public


@dataclass(frozen=True)
class CurveServer:
    """The binding side (the receiver): its key pair and a directory of allowed node keys."""

    secret_key_file: str
    authorized_keys_dir: str

    def apply(self, sock: zmq.Socket[bytes]) -> None:
        public, secret = _load(self.secret_key_file, need_secret=True)
        if not Path(self.authorized_keys_dir).is_dir():
            raise CurveKeyError(
                f"authorized keys directory {self.authorized_keys_dir} does not exist"
            )
        sock.curve_publickey = public
        sock.curve_secretkey = secret
        sock.curve_server = True


def create_keypair(directory: str | Path, name: str) -> tuple[Path, Path]:
    """Write ``name.key`` (public) and ``name.key_secret`` in ``directory``."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    public, secret = zmq.auth.create_certificates(str(directory), name)
    return Path(public), Path(secret)
