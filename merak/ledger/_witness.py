"""The last signed tree head, kept outside the store so that losing the store's last pages
(a cut WAL, a restored backup) is seen at start instead of reusing acknowledged indices.

Written atomically (temporary file, fsync, rename, fsync of the directory) each time the
ledger signs a head; read when the ledger opens.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from merak.ledger._checkpoint import SignedTreeHead
from merak.ledger._errors import LedgerError
from merak.ledger._export import ExportFormatError, head_from_json, head_to_json


class LogBehindHeadError(LedgerError):
    """The store holds fewer entries than the last head this ledger signed, or other ones."""

    def __init__(self, path: Path, head: SignedTreeHead, size: int, problem: str):
        self.path = path
        self.head = head
        self.size = size
        super().__init__(
            f"{problem}; the last signed tree head (size {head.tree_size}, root "
            f"{head.root_hash.hex()[:16]}…) is kept in {path}. Refusing to serve: restore the "
            "store from a backup that covers it (or, knowingly, move that file aside to start "
            "a new history)"
        )


class HeadWitness:
    """The last signed tree head in one small file beside the signing key."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def last(self) -> SignedTreeHead | None:
        """The head last recorded; None before the first. A damaged file is an error."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(
                f"{self.path}: cannot read the last signed tree head ({exc})"
            ) from exc
        try:
            obj = json.loads(text)
            if not isinstance(obj, dict):
                raise ValueError("expected a JSON object")
            head, _ = head_from_json({**obj, "consistency_from_previous": []})
        except (ValueError, ExportFormatError) as exc:
            raise LedgerError(f"{self.path}: damaged last signed tree head ({exc})") from exc
        return head

    def record(self, head: SignedTreeHead) -> None:
        """Keep ``head`` durably (it replaces the previous one)."""
        obj = head_to_json(head, [])
        obj.pop("consistency_from_previous", None)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(obj, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def check(self, size: int, root_at: Callable[[int], bytes]) -> None:
        """Raise LogBehindHeadError when a store of ``size`` entries cannot be the log that
        signed the recorded head (``root_at(n)`` gives the store's root of n entries)."""
        head = self.last()
        if head is None:
            return
        if size < head.tree_size:
            raise LogBehindHeadError(
                self.path,
                head,
                size,
                f"the ledger store holds {size} entries but {head.tree_size} were signed: "
                f"entries {size}..{head.tree_size - 1} are missing",
            )
        root = root_at(head.tree_size)
        if root != head.root_hash:
            raise LogBehindHeadError(
                self.path,
                head,
                size,
                f"the store's first {head.tree_size} entries have root {root.hex()[:16]}…, "
                "not the signed one: the store holds another history",
            )
