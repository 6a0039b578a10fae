"""Evidence: arrays (spectra, frames, count series) as .npy blobs, referenced by SHA-256."""

from __future__ import annotations

import io

import numpy as np

from merak.ledger import BlobStore, blob_ref
from merak.v1 import common_pb2

NPY = "application/x-npy"


def npy_bytes(array: np.ndarray) -> bytes:
    """The array in NumPy's .npy format (no pickle)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def put_array(blobs: BlobStore, array: np.ndarray) -> common_pb2.BlobRef:
    """Store an array; its reference (hash, size, media type)."""
    data = npy_bytes(array)
    return blob_ref(blobs.put(data), len(data), NPY)


def load_array(blobs: BlobStore, ref: common_pb2.BlobRef) -> np.ndarray:
    """Read back an array stored by ``put_array`` (the hash is checked)."""
    out: np.ndarray = np.load(io.BytesIO(blobs.get(ref.sha256)), allow_pickle=False)
    return out
