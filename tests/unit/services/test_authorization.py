"""Who may call what: identities from tokens and certificates, roles to RPC patterns."""

from __future__ import annotations

import hashlib

import grpc
import pytest

from merak.core.config import load_config
from merak.services._auth import AuthError, Authorizer

SUBMIT = "/merak.v1.IntakeService/SubmitDeclaration"
APPEND = "/merak.v1.LedgerService/AppendEntry"
READ_HEAD = "/merak.v1.LedgerService/GetSignedTreeHead"
HEALTH = "/grpc.health.v1.Health/Check"


def _authorizer(anonymous: tuple[str, ...] = ()) -> Authorizer:
    cfg = load_config(
        environ={},
        overrides={
            "auth": {
                "tokens": [
                    {
                        "identity": "dps",
                        "sha256": hashlib.sha256(b"agency-token").hexdigest(),
                        "roles": ["agency"],
                    },
                    {
                        "identity": "audit",
                        "sha256": hashlib.sha256(b"audit-token").hexdigest(),
                        "roles": ["auditor"],
                    },
                ],
                "certificates": [
                    {"common_name": "detection.zhanjiang", "roles": ["ledger_writer"]}
                ],
                "anonymous_roles": list(anonymous),
            }
        },
    )
    return Authorizer(cfg.auth)


def _code(fn: object) -> grpc.StatusCode:
    with pytest.raises(AuthError) as info:
        fn()  # type: ignore[operator]
    return info.value.code


def test_a_token_grants_its_roles() -> None:
    caller = _authorizer().check({"authorization": "Bearer agency-token"}, None, SUBMIT)
    assert caller.identity == "dps"
    assert caller.method == "token"


def test_a_role_without_the_rpc_is_permission_denied() -> None:
    auth = _authorizer()
    code = _code(lambda: auth.check({"authorization": "Bearer audit-token"}, None, APPEND))
    assert code is grpc.StatusCode.PERMISSION_DENIED
    assert auth.check({"authorization": "Bearer audit-token"}, None, READ_HEAD).identity == "audit"


def test_no_credentials_is_unauthenticated_except_for_public_rpcs() -> None:
    auth = _authorizer()
    assert _code(lambda: auth.check({}, None, SUBMIT)) is grpc.StatusCode.UNAUTHENTICATED
    assert auth.check({}, None, HEALTH).method == "anonymous"


def test_anonymous_roles_apply_to_callers_without_credentials() -> None:
    assert _authorizer(anonymous=("auditor",)).check({}, None, READ_HEAD).method == "anonymous"


@pytest.mark.parametrize("header", ["Bearer wrong", "Basic YWdlbmN5", "Bearer ", "agency-token"])
def test_bad_tokens_are_unauthenticated(header: str) -> None:
    auth = _authorizer()
    assert _code(lambda: auth.check({"authorization": header}, None, SUBMIT)) is (
        grpc.StatusCode.UNAUTHENTICATED
    )


def test_a_certificate_identity_maps_to_roles() -> None:
    auth = _authorizer()
    assert auth.check({}, "detection.zhanjiang", APPEND).method == "certificate"
    assert _code(lambda: auth.check({}, "detection.zhanjiang", SUBMIT)) is (
        grpc.StatusCode.PERMISSION_DENIED
    )
    assert _code(lambda: auth.check({}, "stranger", APPEND)) is grpc.StatusCode.PERMISSION_DENIED
