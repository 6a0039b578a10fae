"""Typed errors of the ledger; each says what was expected and what was found."""

from __future__ import annotations

from merak.core.errors import MerakError, UnavailableError


class LedgerError(MerakError):
    """Base of the ledger's errors."""


class ProofError(LedgerError):
    """A Merkle proof did not verify, or could not be made for the arguments given."""


class RootMismatchError(ProofError):
    """The root a proof leads to is not the root it was checked against."""

    def __init__(self, expected: bytes, calculated: bytes, what: str = "root"):
        self.expected = expected
        self.calculated = calculated
        super().__init__(
            f"{what} mismatch: expected {expected.hex()}, calculated {calculated.hex()}"
        )


class ProofLengthError(ProofError):
    """A proof has more or fewer hashes than its sizes and index call for."""

    def __init__(self, expected: int, found: int):
        self.expected = expected
        self.found = found
        super().__init__(f"proof length: expected {expected} hashes, found {found}")


class IndexOutOfRangeError(ProofError):
    """A leaf index or tree size lies outside what the arguments allow."""

    def __init__(self, what: str, value: int, bound: str):
        self.what = what
        self.value = value
        super().__init__(f"{what} {value} out of range: expected {bound}")


class HashSizeError(ProofError):
    """A hash that is not 32 bytes long."""

    def __init__(self, what: str, found: int):
        self.what = what
        self.found = found
        super().__init__(f"{what}: expected a 32-byte hash, found {found} bytes")


class SignatureError(LedgerError):
    """A signed tree head whose signature or key does not verify."""


class CheckpointFormatError(LedgerError):
    """Checkpoint text that does not follow the checkpoint format."""


class StoreUnavailableError(LedgerError, UnavailableError):
    """The ledger's store cannot be reached or written (database down, disk full)."""


class StoreConflictError(LedgerError):
    """Another writer appended to the log first; the writer must reload and retry."""

    def __init__(self, expected_size: int, found_size: int):
        self.expected_size = expected_size
        self.found_size = found_size
        super().__init__(
            f"log size: expected {expected_size}, found {found_size} (concurrent writer)"
        )


class BlobError(LedgerError):
    """A blob is missing or does not match its SHA-256."""


class BlobNotFoundError(BlobError):
    def __init__(self, sha256: bytes):
        self.sha256 = sha256
        super().__init__(f"blob {sha256.hex()} not found")


class BlobCorruptError(BlobError):
    def __init__(self, expected: bytes, calculated: bytes):
        self.expected = expected
        self.calculated = calculated
        super().__init__(
            f"blob content: expected sha256 {expected.hex()}, found {calculated.hex()}"
        )
